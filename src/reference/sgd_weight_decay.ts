/** CPU twin of shaders/sgd_weight_decay.wgsl: param -= lr * (grad + wd * param), in place, in f32 steps. */
export function sgdWeightDecay(param: Float32Array, grad: Float32Array, lr: number, weightDecay: number): void {
  const lr32 = Math.fround(lr);
  const wd32 = Math.fround(weightDecay);
  for (let i = 0; i < param.length; i++) param[i] -= lr32 * Math.fround(grad[i] + Math.fround(wd32 * param[i]));
}
