/**
 * CPU twins of shaders/optimizer.wgsl's entry points, in place. sgdUpdate and sgdWeightDecay round as the GPU does
 * (f32 steps); sgdMomentum and adamUpdate work in f64 with the hyper-parameters taken as the f32 values the GPU reads.
 */

/** sgd_update: param -= lr * grad. */
export function sgdUpdate(param: Float32Array, grad: Float32Array, lr: number): void {
  for (let i = 0; i < param.length; i++) param[i] -= lr * grad[i];
}

/** sgd_weight_decay: param -= lr * (grad + wd * param), in f32 steps. */
export function sgdWeightDecay(param: Float32Array, grad: Float32Array, lr: number, weightDecay: number): void {
  const lr32 = Math.fround(lr);
  const wd32 = Math.fround(weightDecay);
  for (let i = 0; i < param.length; i++) param[i] -= lr32 * Math.fround(grad[i] + Math.fround(wd32 * param[i]));
}

/**
 * sgd_momentum: buf = momentum * buf + (grad + wd * param), param -= lr * buf (`buffer` starts as zeros: PyTorch's
 * first step, buf = d, is momentum * 0 + d).
 */
export function sgdMomentum(param: Float64Array, grad: ArrayLike<number>, buffer: Float64Array, lr: number, momentum: number, weightDecay: number): void {
  const [lr32, m32, wd32] = [Math.fround(lr), Math.fround(momentum), Math.fround(weightDecay)];
  for (let i = 0; i < param.length; i++) {
    buffer[i] = m32 * buffer[i] + (grad[i] + wd32 * param[i]);
    param[i] -= lr32 * buffer[i];
  }
}

/** adam_step_count: the step count after one more step. */
export const optimizerStepCount = (t: number): number => t + 1;

/** adam_update: torch.optim.Adam's step `t` (1 on the first step) with weight decay added to the gradient. */
export function adamUpdate(
  param: Float64Array,
  grad: ArrayLike<number>,
  expAvg: Float64Array,
  expAvgSq: Float64Array,
  t: number,
  h: { lr: number; betas: readonly [number, number]; eps: number; weightDecay: number },
): void {
  const [lr, beta1, beta2, eps, wd] = [h.lr, h.betas[0], h.betas[1], h.eps, h.weightDecay].map(Math.fround);
  const stepSize = lr / (1 - beta1 ** t);
  const correction2 = Math.sqrt(1 - beta2 ** t);
  for (let i = 0; i < param.length; i++) {
    const g = grad[i] + wd * param[i];
    expAvg[i] = beta1 * expAvg[i] + (1 - beta1) * g;
    expAvgSq[i] = beta2 * expAvgSq[i] + (1 - beta2) * g * g;
    param[i] -= stepSize * (expAvg[i] / (Math.sqrt(expAvgSq[i]) / correction2 + eps));
  }
}
