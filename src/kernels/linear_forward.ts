import { DROPOUT_PRELUDE } from './dropout_mask.js';
import { ceilDiv, defineKernel } from './kernel.js';
import { MAX_TILE_COLS, MAX_TILE_ROWS, tileProblem } from './tiles.js';

/**
 * out = act(x·W + b), x: [rows, K], W: [K, N]; a TR x TC block of out per invocation. Constants: RELU or SIGMOID (0/1),
 * TR and TC (MLP_TILES in gpu/tuning.ts), and dropout's (kernels/dropout_mask.ts; default off).
 */
export const linearForward = defineKernel<'x' | 'w' | 'b' | 'out', 'K' | 'N'>({
  shader: 'linear_forward',
  shape: ['K', 'N'],
  step: true,
  preludes: [DROPOUT_PRELUDE],
  tunable: true,
  constants: { TR: 8, TC: 4, RELU: 0, SIGMOID: 0 },
  checkConstants: (c) => tileProblem('TR', c.TR, MAX_TILE_ROWS) ?? tileProblem('TC', c.TC, MAX_TILE_COLS),
  grid: (c, rows) => [ceilDiv(ceilDiv(rows, c.TR) * ceilDiv(c.N, c.TC), c.WG)],
});
