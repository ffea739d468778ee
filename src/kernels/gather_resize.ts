import { ceilDiv, defineKernel, spreadGrid } from './kernel.js';

/**
 * x = bilinear resize (align_corners=False) of images[order[row0 + r]] from C x H x W to C x HO x WO, / 255, and
 * y = labels[...]: the book's transforms.Resize then ToTensor inside the gather, from the resident u8 images.
 * One invocation per output value.
 */
export const gatherResize = defineKernel<'images' | 'labels' | 'order' | 'x' | 'y', 'C' | 'H' | 'W' | 'HO' | 'WO'>({
  shader: 'gather_resize',
  shape: ['C', 'H', 'W', 'HO', 'WO'],
  step: true,
  tunable: true,
  checkConstants: (c) => ((c.C * c.H * c.W) % 4 === 0 ? null : `C·H·W must be a multiple of 4 (pixels are packed 4 per word), not ${c.C * c.H * c.W}`),
  grid: (c, rows) => spreadGrid(ceilDiv(rows * c.C * c.HO * c.WO, c.WG)),
});
