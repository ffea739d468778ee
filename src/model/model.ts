/**
 * What the trainer needs of a model: its parameters on the GPU and a way to record one training step
 * (forward, loss, backward, update) into a compute pass. Both models read the same minibatch buffers and
 * add to the same epoch accumulators, so the trainer can swap them.
 */
import type { ComputePass } from '../gpu/kernel.js';
import type { Gpu } from '../gpu/device.js';
import type { Parameters } from './parameters.js';

export type ModelKind = 'scratch' | 'concise';
export const MODEL_KINDS: readonly ModelKind[] = ['scratch', 'concise'];

/** GPU buffers a step reads and the epoch-long totals it adds to. Created by the trainer. */
export interface StepIo {
  x: GPUBuffer; // [maxRows, features] f32 row-major: the gathered minibatch, pixels / 255
  y: GPUBuffer; // [maxRows] u32 labels
  lossSum: GPUBuffer; // [1] f32: sum of per-sample cross-entropy over the epoch so far
  correct: GPUBuffer; // [1] u32: correct predictions over the epoch so far
  predictions: GPUBuffer; // [maxRows] u32: argmax of the last step
}

export interface ModelConfig {
  maxRows: number;
  features: number;
  classes: number;
  lr: number;
}

export interface TrainableModel {
  readonly kind: ModelKind;
  readonly weights: GPUBuffer; // W: [features, classes] f32 row-major
  readonly bias: GPUBuffer; // b: [classes] f32
  /** GPU buffer bytes the model allocated (parameters, gradients, activations). */
  readonly bytes: number;
  /** Records one minibatch step; `step` is the @group(1) slot giving this step's rows. */
  encodeStep(pass: ComputePass, step: GPUBindGroup): void;
  destroy(): void;
}

export type ModelFactory = (gpu: Gpu, io: StepIo, config: ModelConfig, init: Parameters) => Promise<TrainableModel>;
