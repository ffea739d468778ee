import { ceilDiv, defineKernel } from './kernel.js';

/**
 * gather + x·W + b + softmax + loss + dlogits + argmax for one step, one invocation per row. Created with
 * constants { STABLE_LOSS: 0 } for the scratch model's clamped -log(p[y]), 1 (default) for log-sum-exp.
 */
export const fusedForwardLossGrad = defineKernel<'images' | 'labels' | 'order' | 'w' | 'b' | 'dlogits' | 'sample_loss' | 'sample_hit'>({
  shader: 'fused_forward_loss_grad',
  tunable: true,
  grid: (d, wg) => [ceilDiv(d.rows, wg)],
});

/** The fused kernels keep per-row arrays in registers, sized for this many classes. */
export const FUSED_CLASSES = 10;
