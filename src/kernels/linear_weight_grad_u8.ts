import { ceilDiv, defineKernel } from './kernel.js';
import { MAX_TILE_COLS, MAX_TILE_WORDS, tileProblem } from './tiles.js';

/**
 * The first layer's dW = xᵀ · dy with x = images[order[row0 + r]] / 255 read as u8; a block of TW words
 * (4 * TW rows of dW) x TC columns per invocation.
 */
export const linearWeightGradU8 = defineKernel<'images' | 'order' | 'dy' | 'dw', 'K' | 'N'>({
  shader: 'linear_weight_grad_u8',
  shape: ['K', 'N'],
  step: true,
  tunable: true,
  constants: { TW: 2, TC: 4 },
  checkConstants: (c) =>
    c.K % 4 !== 0 ? `K must be a multiple of 4 (pixels are packed 4 per word), not ${c.K}` : (tileProblem('TW', c.TW, MAX_TILE_WORDS) ?? tileProblem('TC', c.TC, MAX_TILE_COLS)),
  grid: (c) => [ceilDiv(ceilDiv(c.K / 4, c.TW) * ceilDiv(c.N, c.TC), c.WG)],
});
