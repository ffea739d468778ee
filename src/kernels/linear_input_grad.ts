import { DROPOUT_PRELUDE } from './dropout_mask.js';
import { ceilDiv, defineKernel } from './kernel.js';
import { MAX_TILE_COLS, MAX_TILE_ROWS, tileProblem } from './tiles.js';

/**
 * dx = (dy·Wᵀ) ⊙ [h > 0] ⊙ dropout mask / (1 - p), dy: [rows, N], W: [K, N], h and dx: [rows, K]; a TR x TC
 * block of dx per invocation. Constants: RELU_MASK (0/1), SIGMOID_SLOPE (0/1: ⊙ h(1 - h) instead, for a sigmoid's
 * output), TR, TC, and the dropout constants of the layer that produced h (kernels/dropout_mask.ts; default off).
 */
export const linearInputGrad = defineKernel<'dy' | 'w' | 'h' | 'dx', 'K' | 'N'>({
  shader: 'linear_input_grad',
  shape: ['K', 'N'],
  step: true,
  preludes: [DROPOUT_PRELUDE],
  tunable: true,
  constants: { TR: 8, TC: 4, RELU_MASK: 1, SIGMOID_SLOPE: 0 },
  checkConstants: (c) => tileProblem('TR', c.TR, MAX_TILE_ROWS) ?? tileProblem('TC', c.TC, MAX_TILE_COLS),
  grid: (c, rows) => [ceilDiv(ceilDiv(rows, c.TR) * ceilDiv(c.K, c.TC), c.WG)],
});
