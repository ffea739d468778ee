import { ceilDiv, defineKernel } from './kernel.js';

/** dW, db and the SGD update of W and b in one dispatch: one invocation per 8 pixels (8 rows of W), plus one per class. */
export const fusedWeightGradSgd = defineKernel<'images' | 'order' | 'dlogits' | 'w' | 'b' | 'sgd'>({
  shader: 'fused_weight_grad_sgd',
  tunable: true,
  grid: (d, wg) => [ceilDiv(d.features / 8 + d.classes, wg)],
});
