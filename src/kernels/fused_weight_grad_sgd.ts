import { ceilDiv, defineKernel } from './kernel.js';

/**
 * dW, db and the SGD update of W and b in one dispatch: one invocation per WORDS packed pixel words (4 rows of
 * W each; WORDS at most FUSED_MAX_WORDS), plus one per class.
 */
export const fusedWeightGradSgd = defineKernel<'images' | 'order' | 'dlogits' | 'w' | 'b' | 'sgd'>({
  shader: 'fused_weight_grad_sgd',
  tunable: true,
  constants: { WORDS: 1 },
  grid: (d, wg, c) => [ceilDiv(ceilDiv(d.features / 4, c.WORDS) + d.classes, wg)],
});

/** The largest WORDS the shader's per-invocation arrays hold (its MAX_WORDS). */
export const FUSED_MAX_WORDS = 2;
