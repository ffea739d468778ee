/** CPU twin of shaders/fused_weight_grad_sgd.wgsl: weight_grad + bias_grad + sgd_update (optimizer.wgsl), composed. */
import { biasGrad } from './bias_grad.js';
import { gatherMinibatch } from './gather_minibatch.js';
import { sgdUpdate } from './optimizer.js';
import { weightGrad } from './weight_grad.js';

export function fusedWeightGradSgd(
  images: Uint8Array,
  order: ArrayLike<number>,
  dlogits: Float32Array,
  w: Float32Array,
  b: Float32Array,
  row0: number,
  rows: number,
  features: number,
  classes: number,
  lr: number,
): void {
  const { x } = gatherMinibatch(images, new Uint32Array(images.length / features), order, row0, rows, features);
  sgdUpdate(w, weightGrad(x, dlogits, rows, features, classes), lr);
  sgdUpdate(b, biasGrad(dlogits, rows, classes), lr);
}
