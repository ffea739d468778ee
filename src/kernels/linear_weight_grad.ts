import { ceilDiv, defineKernel } from './kernel.js';
import { MAX_TILE_COLS, MAX_TILE_ROWS, tileProblem } from './tiles.js';

/** dW = xᵀ · dy, x: [rows, K], dy: [rows, N], dW: [K, N]; a TK x TC block of dW per invocation. */
export const linearWeightGrad = defineKernel<'x' | 'dy' | 'dw', 'K' | 'N'>({
  shader: 'linear_weight_grad',
  shape: ['K', 'N'],
  step: true,
  tunable: true,
  constants: { TK: 8, TC: 4 },
  checkConstants: (c) => tileProblem('TK', c.TK, MAX_TILE_ROWS) ?? tileProblem('TC', c.TC, MAX_TILE_COLS),
  grid: (c) => [ceilDiv(ceilDiv(c.K, c.TK) * ceilDiv(c.N, c.TC), c.WG)],
});
