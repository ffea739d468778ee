import { weightGrad } from './weight_grad.js';

/** CPU twin of shaders/linear_weight_grad.wgsl: dW = xᵀ · dy, [K, N], accumulated in f64 (the same math as weight_grad). */
export function linearWeightGrad(x: Float32Array, dy: Float32Array, rows: number, K: number, N: number): Float32Array {
  return weightGrad(x, dy, rows, K, N);
}
