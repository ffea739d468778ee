/**
 * CPU twin of shaders/sgd_momentum.wgsl, in f64: buf = momentum * buf + (grad + wd * param), param -= lr * buf,
 * in place (`buffer` starts as zeros: PyTorch's first step, buf = d, is momentum * 0 + d). Hyper-parameters are
 * taken as the f32 values the GPU reads.
 */
export function sgdMomentum(param: Float64Array, grad: ArrayLike<number>, buffer: Float64Array, lr: number, momentum: number, weightDecay: number): void {
  const [lr32, m32, wd32] = [Math.fround(lr), Math.fround(momentum), Math.fround(weightDecay)];
  for (let i = 0; i < param.length; i++) {
    buffer[i] = m32 * buffer[i] + (grad[i] + wd32 * param[i]);
    param[i] -= lr32 * buffer[i];
  }
}
