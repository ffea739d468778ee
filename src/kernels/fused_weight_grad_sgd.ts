import { FUSED_CLASSES } from './fused_forward_loss_grad.js';
import { ceilDiv, defineKernel } from './kernel.js';

/** dW, db and the SGD update of W and b in one dispatch: one invocation per 8 pixels (8 rows of W), plus one per class. */
export const fusedWeightGradSgd = defineKernel<'images' | 'order' | 'dlogits' | 'w' | 'b' | 'sgd', 'K'>({
  shader: 'fused_weight_grad_sgd',
  shape: ['K'],
  step: true,
  tunable: true,
  checkConstants: (c) => (c.K % 8 === 0 ? null : `K must be a multiple of 8 (it reads 8 pixels at a time), not ${c.K}`),
  grid: (c) => [ceilDiv(c.K / 8 + FUSED_CLASSES, c.WG)],
});
