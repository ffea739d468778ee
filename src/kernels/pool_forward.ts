import { ceilDiv, type Constants, defineKernel, spreadGrid } from './kernel.js';

/** Pooling kinds: the WGSL `POOL` override. */
export const POOL_CODES = { avg: 0, max: 1 } as const;
export type PoolName = keyof typeof POOL_CODES;

/**
 * A pooling window: KS x KS (or KH x KW where given), STRIDE apart, PAD on every side; the pool kernels'
 * constants. The defaults are LeNet's 2x2 / stride 2, no padding.
 */
export const POOL_WINDOW = { KS: 2, STRIDE: 2, PAD: 0 } as const;

/** The sizes the pool kernels are tested for (issue 21): kernel 1..7, stride 1..4, padding 0..3. */
export const POOL_LIMITS = { ks: 7, stride: 4, pad: 3 } as const;

/** The window's height and width: KH and KW where given, else KS. */
export const poolWindowSize = (c: Constants) => ({ kh: c.KH ?? c.KS, kw: c.KW ?? c.KS });

/** Pooled height and width, as PyTorch's floor((size + 2 pad - k) / stride) + 1. */
export function poolOutput(c: Constants): { ho: number; wo: number } {
  const { kh, kw } = poolWindowSize(c);
  return { ho: Math.floor((c.H + 2 * c.PAD - kh) / c.STRIDE) + 1, wo: Math.floor((c.W + 2 * c.PAD - kw) / c.STRIDE) + 1 };
}

/**
 * Why a pooling window cannot run on an H x W input, or null. A global pooling (KH = H, KW = W) may be larger
 * than POOL_LIMITS.ks; PyTorch's rule that the padding is at most half the window holds for every window.
 */
export function poolProblem(c: Constants): string | null {
  const { kh, kw } = poolWindowSize(c);
  const global = kh === c.H && kw === c.W && c.PAD === 0;
  for (const [name, k] of [['KS', c.KS], ['KH', kh], ['KW', kw]] as const) {
    if (!Number.isInteger(k) || k < 1 || (k > POOL_LIMITS.ks && !global)) return `window ${name} ${k} is not an integer from 1 to ${POOL_LIMITS.ks} (or the whole input)`;
  }
  if (!Number.isInteger(c.STRIDE) || c.STRIDE < 1 || c.STRIDE > POOL_LIMITS.stride) return `stride ${c.STRIDE} is not an integer from 1 to ${POOL_LIMITS.stride}`;
  if (!Number.isInteger(c.PAD) || c.PAD < 0 || c.PAD > POOL_LIMITS.pad) return `padding ${c.PAD} is not an integer from 0 to ${POOL_LIMITS.pad}`;
  if (2 * c.PAD > Math.min(kh, kw)) return `padding ${c.PAD} is more than half the ${kh}x${kw} window`;
  if (kh > c.H + 2 * c.PAD || kw > c.W + 2 * c.PAD) return `a ${c.H}x${c.W} input (padding ${c.PAD}) has no ${kh}x${kw} window`;
  return null;
}

/**
 * Pooling (mean or max, PyTorch's AvgPool2d(count_include_pad=True) / MaxPool2d), x: [rows, C, H, W] ->
 * y: [rows, C, HO, WO]; one invocation per output. Constants KS, STRIDE, PAD (default 2, 2, 0: LeNet's), KH/KW
 * for a rectangular window (KH = H, KW = W: global average pooling), POOL (POOL_CODES).
 */
export const poolForward = defineKernel<'x' | 'y', 'C' | 'H' | 'W'>({
  shader: 'pool_forward',
  shape: ['C', 'H', 'W'],
  step: true,
  tunable: true,
  constants: { POOL: 0, ...POOL_WINDOW },
  checkConstants: poolProblem,
  grid: (c, rows) => {
    const { ho, wo } = poolOutput(c);
    return spreadGrid(ceilDiv(rows * c.C * ho * wo, c.WG));
  },
});
