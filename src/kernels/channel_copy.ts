import { ceilDiv, defineKernel, spreadGrid } from './kernel.js';

/**
 * Channel concatenation, one branch at a time: INTO 1 copies part [rows, C_PART, HW] into channels
 * [OFFSET, OFFSET + C_PART) of whole [rows, C_TOTAL, HW]; INTO 0 copies that slice back out (the backward).
 */
export const channelCopy = defineKernel<'part' | 'whole', 'C_PART' | 'C_TOTAL' | 'HW'>({
  shader: 'channel_copy',
  shape: ['C_PART', 'C_TOTAL', 'HW'],
  step: true,
  tunable: true,
  constants: { OFFSET: 0, INTO: 1 },
  checkConstants: (c) => (c.OFFSET + c.C_PART > c.C_TOTAL ? `channels [${c.OFFSET}, ${c.OFFSET + c.C_PART}) are past the ${c.C_TOTAL} of the whole` : null),
  grid: (c, rows) => spreadGrid(ceilDiv(rows * c.C_PART * c.HW, c.WG)),
});
