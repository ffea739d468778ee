/**
 * The parameters of softmax regression and how they start: d2l's W ~ N(0, 0.01²), b = 0, from a seeded Rng so
 * the GPU trainer and the CPU reference begin from identical weights.
 */
import { Rng } from '../random.js';

export const FEATURES = 784; // 28 x 28 pixels
export const CLASSES = 10;

export interface Parameters {
  weights: Float32Array; // W: [features, classes] f32 row-major
  bias: Float32Array; // b: [classes]
  features: number;
  classes: number;
}

export function initialParameters(seed: number, features = FEATURES, classes = CLASSES, std = 0.01): Parameters {
  const rng = new Rng(seed);
  return { weights: rng.fillNormal(new Float32Array(features * classes), 0, std), bias: new Float32Array(classes), features, classes };
}
