import { weightGrad } from './weight_grad.js';

/** CPU twin of the dense template's weight_grad with an f32 x (shaders/linear.wgsl, linear_subgroup.wgsl): dW = xᵀ · dy, [K, N], accumulated in f64 (the same math as weight_grad). */
export function linearWeightGrad(x: Float32Array, dy: Float32Array, rows: number, K: number, N: number): Float32Array {
  return weightGrad(x, dy, rows, K, N);
}
