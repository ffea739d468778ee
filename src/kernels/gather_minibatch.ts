import { ceilDiv, defineKernel } from './kernel.js';

/** x = images[order[row0 + r]] / 255, y = labels[...]; one invocation per packed word (4 pixels) of each row. */
export const gatherMinibatch = defineKernel<'images' | 'labels' | 'order' | 'x' | 'y', 'K'>({
  shader: 'gather_minibatch',
  shape: ['K'],
  step: true,
  tunable: true,
  checkConstants: (c) => (c.K % 4 === 0 ? null : `K must be a multiple of 4 (pixels are packed 4 per word), not ${c.K}`),
  grid: (c, rows) => [ceilDiv(c.K / 4, c.WG), rows],
});
