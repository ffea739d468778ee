import { ceilDiv, defineKernel } from './kernel.js';

/** x = images[order[row0 + r]] / 255, y = labels[...]; one invocation per packed word (4 pixels) of each row. */
export const gatherMinibatch = defineKernel<'images' | 'labels' | 'order' | 'x' | 'y'>({
  shader: 'gather_minibatch',
  tunable: true,
  grid: (d, wg) => [ceilDiv(d.features / 4, wg), d.rows],
});
