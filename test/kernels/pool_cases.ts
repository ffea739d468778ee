/**
 * The pooling windows the pool kernels are tried on beyond LeNet's 2x2 / stride 2 (the KS, STRIDE, PAD constants;
 * KH/KW for a global pooling), shared by pool_forward's and pool_backward's tests.
 */
import type { Rng } from '../../src/random.js';
import type { PoolWindow } from '../../src/reference/pool_forward.js';

// Windows other than 2x2 / stride 2 (the KS, STRIDE, PAD constants; KH/KW for a global pooling): ResNet's and
// AlexNet's 3x3 / stride-2 max pools, GoogLeNet's 3x3 / stride-1 / padding-1 branch, 1x1 windows, 7x7 / stride 4 /
// padding 3, padding of half the window, global average pooling of square and non-square planes (7x5, 9x9: past
// the 7x7 window limit), odd sizes, steps shorter than the kernel's rows. Inputs in quarters, so max windows tie.
export const POOL_WINDOW_CASES: { name: string; c: number; h: number; w: number; ks: number; kh?: number; kw?: number; stride: number; pad: number; rows: number; maxRows: number }[] = [
  { name: '3x3 s2 p1, 13x11', c: 3, h: 13, w: 11, ks: 3, stride: 2, pad: 1, rows: 2, maxRows: 3 },
  { name: '3x3 s2 p0, 13x13', c: 2, h: 13, w: 13, ks: 3, stride: 2, pad: 0, rows: 1, maxRows: 1 },
  { name: '3x3 s1 p1, 9x9', c: 5, h: 9, w: 9, ks: 3, stride: 1, pad: 1, rows: 2, maxRows: 2 },
  { name: '1x1 s1 p0, 5x6', c: 3, h: 5, w: 6, ks: 1, stride: 1, pad: 0, rows: 1, maxRows: 2 },
  { name: '1x1 s2 p0, 7x7', c: 2, h: 7, w: 7, ks: 1, stride: 2, pad: 0, rows: 2, maxRows: 2 },
  { name: '7x7 s4 p3, 17x17', c: 2, h: 17, w: 17, ks: 7, stride: 4, pad: 3, rows: 2, maxRows: 2 },
  { name: '5x5 s3 p2, 8x10', c: 3, h: 8, w: 10, ks: 5, stride: 3, pad: 2, rows: 3, maxRows: 4 },
  { name: '2x2 s1 p1, 6x5', c: 2, h: 6, w: 5, ks: 2, stride: 1, pad: 1, rows: 2, maxRows: 2 },
  { name: 'global 7x7', c: 6, h: 7, w: 7, ks: 7, stride: 1, pad: 0, rows: 3, maxRows: 3 },
  { name: 'global 7x5', c: 4, h: 7, w: 5, kh: 7, kw: 5, ks: 7, stride: 1, pad: 0, rows: 2, maxRows: 3 },
  { name: 'global 9x9', c: 3, h: 9, w: 9, ks: 9, stride: 1, pad: 0, rows: 2, maxRows: 2 },
];
export type PoolCase = (typeof POOL_WINDOW_CASES)[number];
export const windowOf = (s: PoolCase): PoolWindow => ({ kh: s.kh ?? s.ks, kw: s.kw ?? s.ks, stride: s.stride, pad: s.pad });
export const windowConstants = (s: PoolCase): Record<string, number> => ({ KS: s.ks, STRIDE: s.stride, PAD: s.pad, ...(s.kh ? { KH: s.kh, KW: s.kw } : {}) });
/** Values in quarters (many equal): max windows tie. */
export const quarters = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => Math.round(rng.normal() * 3) / 4);

