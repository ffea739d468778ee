/** CPU twin of shaders/sgd_update.wgsl: param -= lr * grad, in place. */
export function sgdUpdate(param: Float32Array, grad: Float32Array, lr: number): void {
  for (let i = 0; i < param.length; i++) param[i] -= lr * grad[i];
}
