import { ceilDiv, defineKernel } from './kernel.js';

/** Pooling kinds: the WGSL `POOL` override. */
export const POOL_CODES = { avg: 0, max: 1 } as const;
export type PoolName = keyof typeof POOL_CODES;

/** 2x2 / stride-2 pooling (mean or max), x: [rows, C, H, W] -> y: [rows, C, H/2, W/2]; one invocation per output. */
export const poolForward = defineKernel<'x' | 'y', 'C' | 'H' | 'W'>({
  shader: 'pool_forward',
  shape: ['C', 'H', 'W'],
  step: true,
  tunable: true,
  constants: { POOL: 0 },
  checkConstants: (c) => (c.H < 2 || c.W < 2 ? `a ${c.H}x${c.W} input has no 2x2 window` : null),
  grid: (c, rows) => [ceilDiv(rows * c.C * Math.floor(c.H / 2) * Math.floor(c.W / 2), c.WG)],
});
