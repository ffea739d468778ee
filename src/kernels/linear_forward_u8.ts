import { DROPOUT_PRELUDE } from './dropout_mask.js';
import { ceilDiv, defineKernel } from './kernel.js';
import { MAX_TILE_COLS, MAX_TILE_ROWS, tileProblem } from './tiles.js';

/**
 * The first layer's out = act(images[order[row0 + r]] / 255 · W + b), read as u8 from the resident dataset, and
 * y = the step's labels; a TR x TC block of out per invocation. Constants as linear_forward's.
 */
export const linearForwardU8 = defineKernel<'images' | 'labels' | 'order' | 'w' | 'b' | 'out' | 'y', 'K' | 'N'>({
  shader: 'linear_forward_u8',
  shape: ['K', 'N'],
  step: true,
  preludes: [DROPOUT_PRELUDE],
  tunable: true,
  constants: { TR: 8, TC: 4, RELU: 0 },
  checkConstants: (c) =>
    c.K % 4 !== 0 ? `K must be a multiple of 4 (pixels are packed 4 per word), not ${c.K}` : (tileProblem('TR', c.TR, MAX_TILE_ROWS) ?? tileProblem('TC', c.TC, MAX_TILE_COLS)),
  grid: (c, rows) => [ceilDiv(ceilDiv(rows, c.TR) * ceilDiv(c.N, c.TC), c.WG)],
});
