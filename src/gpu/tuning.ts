/**
 * Policy per kind of adapter: which kernel shapes run fastest where. Kernels take these as override
 * constants at creation; models ask for the table that fits the adapter they run on.
 */
import type { AdapterSummary } from './device.js';

/** Software adapters: Dawn marks them as fallback adapters; lavapipe also calls its architecture "software". */
export function isCpuAdapter(info: AdapterSummary): boolean {
  return info.isFallbackAdapter || info.architecture === 'software' || /llvmpipe|lavapipe|swiftshader/i.test(info.description + info.device);
}

/**
 * Shapes of softmax regression's fused kernels: workgroup sizes and rows per forward invocation. A CPU Vulkan
 * driver (lavapipe, SwiftShader) runs a workgroup as SIMD lanes on one thread and loads W once per lane, so it
 * wants few invocations that each reuse a load for many rows, in small workgroups that spread a step over the
 * cores: measured fastest on lavapipe with 2 cores (docs/benchmark-history.md). A GPU wants at least a warp/wavefront per
 * workgroup and more, smaller invocations (not yet measured on one).
 */
export interface FusedShapes {
  /** fused_forward_loss_grad's shape. */
  forward: {
    /** Invocations per workgroup. */
    workgroup: number;
    /** Rows of the minibatch each invocation computes (its ROWS override). */
    rows: number;
  };
  /** fused_weight_grad_sgd's shape. */
  update: {
    /** Invocations per workgroup. */
    workgroup: number;
  };
}
export const FUSED_SHAPES: { cpu: FusedShapes; gpu: FusedShapes } = {
  cpu: { forward: { workgroup: 16, rows: 8 }, update: { workgroup: 8 } },
  gpu: { forward: { workgroup: 64, rows: 2 }, update: { workgroup: 64 } },
};

export const fusedShapesFor = (info: AdapterSummary): FusedShapes => (isCpuAdapter(info) ? FUSED_SHAPES.cpu : FUSED_SHAPES.gpu);


/**
 * Why a minibatch of `rows` samples of `features` f32 does not fit this device, or null if it does. The largest
 * per-batch allocation is a gathered x: [rows, features] f32 in one storage binding, and gathering dispatches
 * one workgroup row per sample. (The dataset's own binding is checked when it is uploaded.)
 */
export function batchSizeProblem(limits: GPUSupportedLimits, rows: number, features: number): string | null {
  const bytes = rows * features * 4;
  const candidates: Array<[string, number, number]> = [
    ['maxStorageBufferBindingSize', limits.maxStorageBufferBindingSize, Math.floor(limits.maxStorageBufferBindingSize / (features * 4))],
    ['maxBufferSize', limits.maxBufferSize, Math.floor(limits.maxBufferSize / (features * 4))],
    ['maxComputeWorkgroupsPerDimension', limits.maxComputeWorkgroupsPerDimension, limits.maxComputeWorkgroupsPerDimension],
  ];
  const [name, value, max] = candidates.reduce((a, b) => (b[2] < a[2] ? b : a));
  if (rows <= max) return null;
  const need = name === 'maxComputeWorkgroupsPerDimension' ? `${rows} workgroups in one dimension` : `a ${bytes}-byte minibatch buffer (${rows} x ${features} f32)`;
  return `needs ${need}, more than this adapter's ${name} (${value}) allows; the largest batch size it can train is ${max}`;
}

/**
 * Tiles of the dense contraction template (shaders/linear.wgsl, linear_subgroup.wgsl; chosen in kernels/linear.ts):
 * outputs per invocation of the register-tiled shape (rows x columns, or words of 4 pixels x columns for the u8
 * weight gradient; its TR and TC) and workgroup size, the subgroup shape's sizes, and the workgroup-memory shape's
 * tile and whether to take it.
 * lavapipe issues each storage load per invocation, so bigger blocks (fewer loads per multiply-add) win until
 * the block spills out of the 16 AVX2 registers. Measured at the MLP's first layer (256 x 784 x 256) on lavapipe
 * with 2 loaded cores (docs/benchmark-history.md, "MLP"): the forward's 8 x 4 generic tile and the subgroup paths' 64-lane
 * workgroups and 4 words per weight-gradient workgroup beat the others tried by 1.5-3x; the generic kernels'
 * other tiles and kPerLane were not separable from the noise. The first layer's weight gradient reads 16 pixels
 * per load: 2 such chunks per workgroup ran 4.0 ms against 4.4-4.8 ms for the 4-word kernel it replaced; 1 and 4
 * were not separable from 2 (tools/bench/mlp_kernels.ts). GPU values are a guess, not yet measured on one.
 */
export interface MlpTiles {
  /** The forward's register tile (linear:forward, f32 or u8 x). */
  forward: RegisterTile;
  /** The input gradient's register tile (linear:input_grad). */
  inputGrad: RegisterTile;
  /** The weight gradient's register tile, f32 x (linear:weight_grad). */
  weightGrad: RegisterTile;
  /** The first layer's weight gradient from the u8 images (linear:weight_grad, u8 prologue). */
  weightGradU8: {
    /** Invocations per workgroup. */
    workgroup: number;
    /** Words of 4 pixels (4 rows of dW each) per invocation (TR). */
    words: number;
    /** Columns of dW per invocation (TC). */
    cols: number;
  };
  /**
   * The subgroup shape (kernels/linear_subgroup.ts), used where the adapter has them. Rows per workgroup follow
   * the subgroup size (kernels/subgroups.ts).
   */
  subgroups: {
    /** Whether to take it where it applies. */
    enabled: boolean;
    /** Invocations per workgroup, at most (rounded to a multiple of the subgroup size). */
    workgroup: number;
    /** vec4 words of x per weight-gradient workgroup (its TV for an f32 x). */
    words: number;
    /** Chunks of 16 pixels per first-layer weight-gradient workgroup (TV for the u8 input). */
    chunks: number;
    /** Values of k per lane of the input gradient (its TC). */
    kPerLane: number;
  };
  /**
   * Whether the dense layers take the workgroup-memory shape (shaders/linear.wgsl's *_tiled entry points: output
   * tiles staged in workgroup memory, register blocks per invocation; the tile: `tiled`) before the others. A GPU's
   * invocations share loads through workgroup memory; lavapipe runs a workgroup's invocations as SIMD lanes of one
   * thread, where the barriers and staging only add work, so it keeps the subgroup and register shapes it was tuned
   * with.
   */
  workgroupMemory: boolean;
  /**
   * The workgroup-memory shape's tile, for the dense layers and the convolutions as implicit GEMM
   * (kernels/conv2d_implicit_gemm.ts) alike. Checked against the adapter's limits when a kernel is created
   * (kernels/tiles.ts tiledLimitProblem); `npm run bench -- --sweep --sweep-only dense` times the candidates.
   */
  tiled: TiledTile;
}
/**
 * The workgroup-memory shape's tile (shaders/linear.wgsl's BM, BN, BK, TM, TN): a rows x cols block of the output
 * per workgroup of (rows / blockRows) x (cols / blockCols) invocations, through slices `depth` deep staged in
 * workgroup memory (4 · depth · (rows + cols) bytes).
 */
export interface TiledTile {
  /** Output rows per workgroup (BM), a multiple of blockRows. */
  rows: number;
  /** Output columns per workgroup (BN), a multiple of blockCols. */
  cols: number;
  /** Depth of a slice staged in workgroup memory (BK). */
  depth: number;
  /** Rows of the register block each invocation computes (TM): 4 or 8. */
  blockRows: number;
  /** Columns of it (TN): 4 or 8. */
  blockCols: number;
}
/**
 * The tile the workgroup-memory shape is created with unless a tuning says otherwise: 32 x 32 outputs per
 * workgroup of 64 invocations (4 x 4 each), 16 deep (4 KiB of workgroup memory, within WebGPU's default limits).
 * A guess, not yet measured on a GPU; lavapipe never takes this shape outside tests.
 */
export const DEFAULT_TILED: TiledTile = { rows: 32, cols: 32, depth: 16, blockRows: 4, blockCols: 4 };
/** A register-tiled dense kernel's shape: a rows x cols block of the output per invocation. */
export interface RegisterTile {
  /** Invocations per workgroup. */
  workgroup: number;
  /** Rows of the output per invocation (TR). */
  rows: number;
  /** Columns of the output per invocation (TC). */
  cols: number;
}
export const MLP_TILES: { cpu: MlpTiles; gpu: MlpTiles } = {
  cpu: {
    forward: { workgroup: 64, rows: 8, cols: 4 },
    inputGrad: { workgroup: 64, rows: 8, cols: 4 },
    weightGrad: { workgroup: 64, rows: 8, cols: 4 },
    weightGradU8: { workgroup: 64, words: 2, cols: 4 },
    subgroups: { enabled: true, workgroup: 64, words: 4, chunks: 2, kPerLane: 2 },
    workgroupMemory: false,
    tiled: { ...DEFAULT_TILED },
  },
  gpu: {
    forward: { workgroup: 64, rows: 4, cols: 4 },
    inputGrad: { workgroup: 64, rows: 4, cols: 4 },
    weightGrad: { workgroup: 64, rows: 4, cols: 4 },
    weightGradU8: { workgroup: 64, words: 1, cols: 4 },
    subgroups: { enabled: true, workgroup: 64, words: 2, chunks: 1, kPerLane: 1 },
    workgroupMemory: true,
    tiled: { ...DEFAULT_TILED },
  },
};

export const mlpTilesFor = (info: AdapterSummary): MlpTiles => (isCpuAdapter(info) ? MLP_TILES.cpu : MLP_TILES.gpu);

/**
 * The subgroup convolution kernels' tiles (kernels/conv2d_subgroup.ts; convTile and weightGradTile apply them to a
 * shape), chosen with tools/bench/lenet_kernels.ts on lavapipe (docs/benchmark-history.md, LeNet; on a GPU a guess,
 * not yet measured).
 *
 * conv2d_forward_subgroup: R·PV·CG = 4 vec4 blocks, up to 8 channels (`channelGroups` vec4s; the grid's z over the
 * groups) by 2 rows x 4 pixels without padding (LeNet's conv2) or wherever the kernel also pools (the pairs of rows
 * are its windows; conv1 runs as fast either way), by 1 row x 8 pixels with padding (conv1; conv2's input gradient,
 * padded by 4, skips more padding rows this way). The shader unrolls everything inside its (channel, kernel row)
 * loop: at R·PV·CG = 8 that body passes the driver's unrolling limit and runs 10-20x slower; at 1-2 it loads more
 * per multiply-add.
 *
 * conv2d_weight_grad_subgroup: the largest channel group CQ <= `maxChannels` whose unrolled body, CQ·WO/2·KS
 * multiply-add pairs, stays within `maxUnrolled` (LeNet's conv2: 4·5·5; conv1: 2·14·5; at 4·14·5 or 3·14·5 lavapipe
 * leaves it rolled and runs 3x slower), over S = `chunks` chunks of rows.
 */
export interface ConvTiles {
  /** conv2d_forward_subgroup's (also the input gradient's, run as a forward). */
  forward: {
    /** The tile without padding, or where the kernel pools. */
    unpadded: ConvForwardTile;
    /** The tile with padding, unpooled. */
    padded: ConvForwardTile;
    /** The most vec4s of output channels per invocation (CG). */
    channelGroups: number;
  };
  /** conv2d_weight_grad_subgroup's. */
  weightGrad: {
    /** The largest channel group CQ. */
    maxChannels: number;
    /** The most multiply-add pairs its unrolled body may hold (CQ·WO/2·KS). */
    maxUnrolled: number;
    /** Chunks of rows summed apart (S), then reduced. */
    chunks: number;
  };
}

/** An output tile of conv2d_forward_subgroup: R rows by PV vec4s of pixels. */
export interface ConvForwardTile {
  /** Rows per invocation. */
  R: number;
  /** vec4s of pixels per row. */
  PV: number;
}
export const CONV_TILES: ConvTiles = {
  forward: { unpadded: { R: 2, PV: 1 }, padded: { R: 1, PV: 2 }, channelGroups: 2 },
  weightGrad: { maxChannels: 4, maxUnrolled: 140, chunks: 16 },
};

/** conv2d_forward_subgroup's tile for C_OUT output channels and padding PAD, pooling or not, in `tiles` (ConvTiles). */
export function convTile(cOut: number, pad: number, pooled = false, tiles: ConvTiles = CONV_TILES): { R: number; PV: number; CG: number } {
  const f = tiles.forward;
  const cg = Math.min(f.channelGroups, Math.ceil(cOut / 4));
  return { ...(pad === 0 || pooled ? f.unpadded : f.padded), CG: cg };
}

/** conv2d_weight_grad_subgroup's channel group CQ and row chunks S for a convolution, in `tiles` (ConvTiles). */
export function weightGradTile(c: { cOut: number; wo: number; ks: number }, tiles: ConvTiles = CONV_TILES): { CQ: number; S: number } {
  const t = tiles.weightGrad;
  let cq = Math.min(t.maxChannels, c.cOut);
  while (cq > 1 && cq * (c.wo / 2) * c.ks > t.maxUnrolled) cq--;
  return { CQ: cq, S: t.chunks };
}

/**
 * Every kernel-shape choice for one adapter, handed to a model's step and forward (StepContext.tuning,
 * ForwardContext.tuning): the models pass these to the kernels they create, so a benchmark sweep's override
 * (TrainerConfig.tuning) reaches every model. Kernels created outside a model (tests, benches) take the tables.
 */
export interface Tuning {
  /** The fused softmax-regression kernels' shapes. */
  fused: FusedShapes;
  /** The dense layers' shape choice and tiles (the MLPs, LeNet's and every network's Linear, softmax regression's separate kernels). */
  dense: MlpTiles;
  /** The subgroup convolution kernels' tiles (LeNet's and BatchNorm LeNet's convolution blocks). */
  conv: ConvTiles;
  /** The smallest convolution that runs as implicit GEMM (CONV_IMPLICIT_GEMM_MIN_FLOP). */
  convGemmMinFlop: number;
  /** Invocations per channel of BatchNorm's two reductions (statistics, grad_reduce; BATCH_NORM_REDUCE). */
  normReduce: number;
}

export function tuningFor(info: AdapterSummary): Tuning {
  return { fused: fusedShapesFor(info), dense: mlpTilesFor(info), conv: CONV_TILES, convGemmMinFlop: CONV_IMPLICIT_GEMM_MIN_FLOP, normReduce: BATCH_NORM_REDUCE[isCpuAdapter(info) ? 'cpu' : 'gpu'] };
}

/**
 * Invocations per channel of BatchNorm's reductions (shaders/batch_norm.wgsl REDUCE_WG, a power of 2). On lavapipe
 * 64 against 256 (best of 8, 2 loaded cores, batch 256): BatchNorm1d(120) statistics 0.7-1.1 ms against 2.4-4.8,
 * its grad_reduce 0.4-0.5 against 1.4-2.8; LeNet's first maps (C 6, 784 px) alike. A GPU's value is a guess: a
 * workgroup per channel wants many invocations there.
 */
export const BATCH_NORM_REDUCE = { cpu: 64, gpu: 256 };

/**
 * The smallest convolution (floating-point operations of one forward at the step's largest batch) that runs as
 * implicit GEMM through the contraction template (kernels/conv2d_implicit_gemm.ts); smaller ones take
 * conv2d_general. The template's kernels are 2.6-4x faster on lavapipe at ResNet's sizes (64->64 3x3 at 7 px, batch
 * 256: forward 84 against 356 ms, weight gradient 112 against 296, input gradient 67 against 202, quiet machine), but a network compiles one pipeline per convolution shape, and lavapipe compiles each at its first
 * dispatch: about 1-3 s per shape for the template's five against ~1 s for conv2d_general's three. Below ~32 MFLOP
 * a step (GoogLeNet's 57 convolutions at 8 px took 4 minutes to compile) the compiling outweighs the speed.
 */
export const CONV_IMPLICIT_GEMM_MIN_FLOP = 2 ** 25;
