/**
 * CPU twin of shaders/adam_update.wgsl, in f64, in place: torch.optim.Adam's step `t` (1 on the first step) with
 * weight decay added to the gradient. Hyper-parameters are taken as the f32 values the GPU reads.
 */
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
