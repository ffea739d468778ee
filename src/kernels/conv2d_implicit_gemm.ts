/**
 * PyTorch's Conv2d (any channels, square kernel, stride and zero padding, a bias) as implicit GEMM through the dense
 * contraction template, in either of its shapes: workgroup-memory tiles (shaders/linear.wgsl's *_tiled entries,
 * what a GPU wants) or subgroup shuffles (shaders/linear_subgroup.wgsl, for adapters with one known subgroup size;
 * what lavapipe wants), chosen as for the dense layers (implicitGemmParts):
 *
 *   forward:      out = x·W + b over rows = (sample, output pixel), k = (ky, kx, c_in), n = c_out; x is the input's
 *                 window at each pixel (prelude/conv_window.wgsl, gathered as it loads; never copied), W the
 *                 weights packed [K, C_OUT / 4] in the same k order (conv2d_weight_pack's tap_major).
 *   input grad:   the same forward entry over rows = (sample, input pixel), k = (ky, kx, c_out), n = c_in: dx is
 *                 the transposed convolution, dy's window read at (iy + pad - ky) / stride where that divides.
 *   weight grad:  the template's weight gradient, dW = windowᵀ·dy, written as PyTorch's [C_OUT, C_IN, KS, KS];
 *                 db: bias_grad's planes entry.
 *
 * Rows and outputs are [rows, C, H, W] (prelude/conv_rows.wgsl). The output channels of each product (C_OUT
 * forward, C_IN for the input gradient) must be a multiple of 4 (the packed weights' vec4s); other shapes take
 * conv2d_general. The CPU twins are conv2d_general's (src/reference/conv2d_general.ts): the same sums.
 */
import type { Gpu } from '../gpu/device.js';
import { CONV_IMPLICIT_GEMM_MIN_FLOP, type MlpTiles, mlpTilesFor } from '../gpu/tuning.js';
import { biasGradPlanes } from './bias_grad.js';
import { convGeneralOutput, convGeneralProblem } from './conv2d_general.js';
import { conv2dWeightPackTapMajor, packedBytes } from './conv2d_weight_pack.js';
import { DROPOUT_PRELUDE } from './dropout_mask.js';
import { type BoundKernel, ceilDiv, type Constants, defineKernel } from './kernel.js';
import { sgWorkgroup, TILED_SPEC, tiledConstants, tiledConstantsProblem } from './linear.js';
import { MAX_ROW_GROUPS, subgroupSize } from './subgroups.js';
import { tileProblem } from './tiles.js';

/** A convolution's sizes, as conv2d_general's constants name them. */
export type ConvDims = {
  C_IN: number;
  C_OUT: number;
  H: number;
  W: number;
  KS: number;
  STRIDE: number;
  PAD: number;
};

const PRELUDES = ['prelude/conv_window', 'prelude/conv_window_subgroup', 'prelude/x_vec4_subgroup', 'prelude/conv_rows', 'prelude/conv_rows_subgroup', 'prelude/activation_fn', DROPOUT_PRELUDE];
/** The workgroup-memory shape's (shaders/linear.wgsl *_tiled): one k per load, out, dy and dW as f32. */
const TILED_PRELUDES = ['prelude/conv_window', 'prelude/conv_window_scalar', 'prelude/x_f32', 'prelude/conv_rows', 'prelude/activation_fn', DROPOUT_PRELUDE];
/** The template's overrides a product is shaped by: K and N, the source tensor, the kernel and the grid of rows. */
const SHAPE = ['K', 'N', 'SRC_C', 'SRC_H', 'SRC_W', 'KS', 'GRID_H', 'GRID_W'] as const;
type GemmShape = (typeof SHAPE)[number];
const MAX_GRID = 65535;

// N % 4: the packed weights are [K, N / 4] vec4s (the tiled shape reads them as [K, N] f32).
const shapeProblem = (c: Constants): string | null =>
  c.N % 4 !== 0 ? `the product's ${c.N} output channels must be a multiple of 4 (one vec4 per lane); conv2d_general takes other shapes`
  : c.K !== c.SRC_C * c.KS * c.KS ? `K ${c.K} is not SRC_C · KS² (${c.SRC_C * c.KS * c.KS})`
  : null;
const gemmProblem = (c: Constants): string | null =>
  shapeProblem(c) ?? (c.WG % c.SG !== 0 ? `the workgroup (${c.WG}) must be a multiple of the subgroup size (${c.SG})` : null);

/** Groups of `perGroup` product rows, spread over y and z past 65,535 (the template reads wid.y + wid.z · nwg.y). */
function rowGrid(c: Constants, rows: number, perGroup: number): [number, number] {
  const groups = Math.max(1, ceilDiv(rows * c.GRID_H * c.GRID_W, perGroup));
  const z = ceilDiv(groups, MAX_GRID);
  return [ceilDiv(groups, z), z];
}

/** out = act(window(x)·W + b): the forward (and, with the transposed geometry, the input gradient). */
export const convGemmProduct = defineKernel<'x' | 'w' | 'b' | 'out', GemmShape>({
  shader: 'linear_subgroup',
  entryPoint: 'forward',
  shape: SHAPE,
  step: true,
  tunable: true,
  preludes: PRELUDES,
  constants: { SG: 8, RG: 2, ACT: 0, ROW_STRIDE: 1, TAP_SIGN: 1, OFFSET: 0, DIV: 1 },
  checkConstants: (c) => gemmProblem(c) ?? tileProblem('RG', c.RG, MAX_ROW_GROUPS),
  grid: (c, rows) => [ceilDiv(c.N / 4, c.WG), ...rowGrid(c, rows, c.RG * c.SG)],
});

/**
 * convGemmProduct in the workgroup-memory shape (a BM x BN output tile per workgroup: the tuning's TiledTile,
 * kernels/linear.ts tiledConstants): what a GPU wants.
 */
export const convGemmProductTiled = defineKernel<'x' | 'w' | 'b' | 'out', GemmShape>({
  ...TILED_SPEC,
  shader: 'linear',
  entryPoint: 'forward_tiled',
  shape: SHAPE,
  step: true,
  preludes: TILED_PRELUDES,
  constants: { ...TILED_SPEC.constants, ACT: 0, ROW_STRIDE: 1, TAP_SIGN: 1, OFFSET: 0, DIV: 1 },
  checkConstants: (c) => shapeProblem(c) ?? tiledConstantsProblem(c),
  grid: (c, rows) => [ceilDiv(c.N, c.BN), ...rowGrid(c, rows, c.BM)],
});

/** convGemmWeightGrad in the workgroup-memory shape: dW's K x N in BM x BN tiles. */
export const convGemmWeightGradTiled = defineKernel<'x' | 'dy' | 'dw', GemmShape>({
  ...TILED_SPEC,
  shader: 'linear',
  entryPoint: 'weight_grad_tiled',
  shape: SHAPE,
  step: true,
  preludes: TILED_PRELUDES,
  constants: { ...TILED_SPEC.constants, ROW_STRIDE: 1, TAP_SIGN: 1, OFFSET: 0, DIV: 1 },
  checkConstants: (c) => shapeProblem(c) ?? tiledConstantsProblem(c),
  grid: (c) => [ceilDiv(c.N, c.BN), ceilDiv(c.K, c.BM)],
});

/** dW [N, K] (PyTorch's layout) = window(x)ᵀ·dy over the step's rows and pixels; TV chunks of 4 k per workgroup. */
export const convGemmWeightGrad = defineKernel<'x' | 'dy' | 'dw', GemmShape>({
  shader: 'linear_subgroup',
  entryPoint: 'weight_grad',
  shape: SHAPE,
  step: true,
  tunable: true,
  preludes: PRELUDES,
  constants: { SG: 8, TV: 2, ROW_STRIDE: 1, TAP_SIGN: 1, OFFSET: 0, DIV: 1 },
  checkConstants: (c) => gemmProblem(c) ?? tileProblem('TV', c.TV, 4),
  grid: (c) => [ceilDiv(c.N / 4, c.WG), ceilDiv(ceilDiv(c.K, 4), c.TV)],
});

/** The forward's product: rows over the output pixels, k over the input window. */
export function forwardGeometry(d: ConvDims): { shape: Record<GemmShape, number>; constants: Constants } {
  const { ho, wo } = convGeneralOutput(d);
  return {
    shape: { K: d.C_IN * d.KS * d.KS, N: d.C_OUT, SRC_C: d.C_IN, SRC_H: d.H, SRC_W: d.W, KS: d.KS, GRID_H: ho, GRID_W: wo },
    constants: { ROW_STRIDE: d.STRIDE, TAP_SIGN: 1, OFFSET: -d.PAD, DIV: 1 },
  };
}

/** The input gradient's product: rows over the input pixels, k over dy's transposed window, n over the input channels. */
export function inputGradGeometry(d: ConvDims): { shape: Record<GemmShape, number>; constants: Constants } {
  const { ho, wo } = convGeneralOutput(d);
  return {
    shape: { K: d.C_OUT * d.KS * d.KS, N: d.C_IN, SRC_C: d.C_OUT, SRC_H: ho, SRC_W: wo, KS: d.KS, GRID_H: d.H, GRID_W: d.W },
    constants: { ROW_STRIDE: 1, TAP_SIGN: -1, OFFSET: d.PAD, DIV: d.STRIDE },
  };
}

/**
 * The weight packs (conv2d_weight_pack's tap_major; rows in the windows' (tap, channel) order, zero rows to a
 * multiple of 4): [KS² · C_IN, C_OUT / 4] for the forward, [KS² · C_OUT, C_IN / 4] for the input gradient.
 */
const tail = (k: number) => 4 * ceilDiv(k, 4) - k;
export const forwardWeightPack = (d: ConvDims) => ({ OUTER: d.C_IN, A: d.C_OUT, T: d.KS * d.KS, TAIL: tail(d.C_IN * d.KS * d.KS), TRANSPOSE: 0 });
export const inputGradWeightPack = (d: ConvDims) => ({ OUTER: d.C_OUT, A: d.C_IN, T: d.KS * d.KS, TAIL: tail(d.C_OUT * d.KS * d.KS), TRANSPOSE: 1 });
const packKernel = (gpu: Gpu, p: ReturnType<typeof forwardWeightPack>) => conv2dWeightPackTapMajor.create(gpu, { OUTER: p.OUTER, A: p.A, T: p.T }, { constants: { TAIL: p.TAIL, TRANSPOSE: p.TRANSPOSE } });

/**
 * One row group (SG product rows) per workgroup, not the dense layers' rowGroupsFor: a network has a pipeline per
 * convolution shape, and lavapipe compiles each at its first dispatch; 3 row groups took ~6 s to compile against
 * ~0.6 s for 1 (64->64 3x3 at 7 px, batch 256, cold shader cache, loaded machine) and ran no faster in that
 * measurement.
 */
const CONV_ROW_GROUPS = 1;

/** Floating-point operations of one forward of `d` over `rows` samples. */
export function convFlop(d: ConvDims, rows: number): number {
  const { ho, wo } = convGeneralOutput(d);
  return 2 * rows * ho * wo * d.C_IN * d.KS * d.KS * d.C_OUT;
}

/** The template's shape a convolution takes: workgroup-memory tiles or subgroup shuffles, as the dense layers'. */
export type GemmShapeChoice = 'tiled' | 'subgroup';

/** The shape `tiles` choose on this adapter: workgroup memory where they say so, else subgroups where the adapter has one size; null: neither. */
export const templateShape = (gpu: Gpu, tiles: MlpTiles): GemmShapeChoice | null =>
  tiles.workgroupMemory ? 'tiled' : subgroupSize(gpu) !== null && tiles.subgroups.enabled ? 'subgroup' : null;

/**
 * Whether a convolution runs as implicit GEMM on this adapter at steps of `rows` rows, its input gradient too, and
 * in which shape of the template (`tiles`: a model's StepContext.tuning.dense, default the adapter's table; the workgroup-memory
 * shape where it says so, else the subgroup shape where the adapter has one subgroup size): null where none (no
 * shape, output channels not a multiple of 4, a shape conv2d_general must check, or smaller than `minFlop`,
 * gpu/tuning.ts CONV_IMPLICIT_GEMM_MIN_FLOP); the input gradient where the input channels are a multiple of 4.
 */
export function implicitGemmParts(gpu: Gpu, d: ConvDims, rows: number, minFlop = CONV_IMPLICIT_GEMM_MIN_FLOP, tiles = mlpTilesFor(gpu.adapterInfo)): { inputGrad: boolean; shape: GemmShapeChoice } | null {
  const shape = templateShape(gpu, tiles);
  if (shape === null || convGeneralProblem(d) !== null || d.C_OUT % 4 !== 0 || convFlop(d, rows) < minFlop) return null;
  return { inputGrad: d.C_IN % 4 === 0, shape };
}

/** The kernels and scratch buffers of one convolution as implicit GEMM (the parts implicitGemmParts allows). */
export interface ConvGemmKernels {
  forwardPack: BoundKernel<'w' | 'packed'>;
  forward: BoundKernel<'x' | 'w' | 'b' | 'out'>;
  weightGrad: BoundKernel<'x' | 'dy' | 'dw'> | null;
  biasGrad: BoundKernel<'dlogits' | 'db'> | null;
  inputGradPack: BoundKernel<'w' | 'packed'> | null;
  inputGrad: BoundKernel<'x' | 'w' | 'b' | 'out'> | null;
  /** Bytes of the packed weights (forward, input gradient) and of the input gradient's zero bias. */
  packBytes: { forward: number; inputGrad: number; zeroBias: number };
}

/**
 * Creates the kernels of a convolution as implicit GEMM for steps of at most maxRows rows: the forward (with ACT),
 * and where `training`, the weight and bias gradients and, where `inputGrad`, the input gradient, in `shape` (default:
 * the one `tiles` choose, as implicitGemmParts); the workgroup-memory tile, or the subgroup workgroups and
 * weight-gradient chunks, from `tiles` (a model's StepContext.tuning.dense; default the adapter's table).
 */
export async function createConvGemm(gpu: Gpu, d: ConvDims, maxRows: number, options: { act?: number; training: boolean; inputGrad: boolean; tiles?: MlpTiles; shape?: GemmShapeChoice }): Promise<ConvGemmKernels> {
  const dense = options.tiles ?? mlpTilesFor(gpu.adapterInfo);
  const sg = subgroupSize(gpu);
  const shape = options.shape ?? templateShape(gpu, dense);
  if (shape === null || (shape === 'subgroup' && sg === null)) throw new RangeError('conv2d as implicit GEMM: no shape of the template here (no workgroup-memory tiles in the tuning, and no subgroups of one known size for the subgroup shape); use conv2d_general');
  const tiled = shape === 'tiled';
  const product = (g: ReturnType<typeof forwardGeometry>, act: number) =>
    tiled ? convGemmProductTiled.create(gpu, g.shape, { rows: maxRows, constants: { ...tiledConstants(dense.tiled), ...g.constants, ACT: act } })
    : convGemmProduct.create(gpu, g.shape, { rows: maxRows, workgroup: sgWorkgroup(dense, sg ?? 1, g.shape.N / 4), constants: { ...g.constants, SG: sg ?? 1, RG: CONV_ROW_GROUPS, ACT: act } });
  const weightGradKernel = (g: ReturnType<typeof forwardGeometry>) =>
    tiled ? convGemmWeightGradTiled.create(gpu, g.shape, { rows: maxRows, constants: { ...tiledConstants(dense.tiled), ...g.constants } })
    : convGemmWeightGrad.create(gpu, g.shape, { rows: maxRows, workgroup: sgWorkgroup(dense, sg ?? 1, d.C_OUT / 4), constants: { ...g.constants, SG: sg ?? 1, TV: dense.subgroups.words } });
  const fwd = forwardGeometry(d);
  const back = inputGradGeometry(d);
  const [forwardPack, forward, weightGrad, biasGrad, inputGradPack, inputGrad] = await Promise.all([
    packKernel(gpu, forwardWeightPack(d)),
    product(fwd, options.act ?? 0),
    options.training ? weightGradKernel(fwd) : null,
    options.training ? biasGradPlanes.create(gpu, { N: d.C_OUT, P: fwd.shape.GRID_H * fwd.shape.GRID_W }, { rows: maxRows }) : null,
    options.training && options.inputGrad ? packKernel(gpu, inputGradWeightPack(d)) : null,
    options.training && options.inputGrad ? product(back, 0) : null,
  ]);
  return {
    forwardPack,
    forward,
    weightGrad,
    biasGrad,
    inputGradPack,
    inputGrad,
    packBytes: {
      forward: packedBytes(forwardWeightPack(d)),
      inputGrad: inputGrad ? packedBytes(inputGradWeightPack(d)) : 0,
      zeroBias: inputGrad ? d.C_IN * 4 : 0,
    },
  };
}
