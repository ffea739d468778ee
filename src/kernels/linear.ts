/**
 * The dense contraction template (shaders/linear.wgsl, shaders/linear_subgroup.wgsl) and the choice of its shape per
 * adapter. The template is WGSL with `override` constants and shared preludes, not WGSL assembled in TypeScript:
 * each shape is one file whose three entry points (forward, input_grad, weight_grad) read x through a prologue
 * prelude (f32 activations, or the resident u8 images through the epoch's order scaled by 1/255) and end in one
 * epilogue encoding (prelude/activation_fn.wgsl's ACT codes, ACTIVATION_CODES: 0 none, 1 sigmoid, 2 ReLU; dropout
 * from prelude/dropout_mask.wgsl). Every kernel of one computation binds the same names in both shapes.
 *
 * This file defines the register-tiled and workgroup-memory shapes' kernels (any K, N and rows; shaders/linear.wgsl)
 * and picks, per layer, between them and the subgroup shape (kernels/linear_subgroup.ts: one known subgroup size, N % 4 == 0, and K % 4 (f32) or K % 16
 * (u8) where x is read), with the choice and tiles of an MlpTiles: the model's StepContext.tuning.dense, else the
 * adapter's table (gpu/tuning.ts MLP_TILES).
 */
import type { Gpu } from '../gpu/device.js';
import { DEFAULT_TILED, type MlpTiles, mlpTilesFor, type TiledTile } from '../gpu/tuning.js';
import { ACTIVATION_CODES } from './conv2d_shape.js';
import { DROPOUT_PRELUDE } from './dropout_mask.js';
import { type BoundKernel, ceilDiv, type Constants, defineKernel } from './kernel.js';
import { linearForwardSubgroup, linearForwardU8Subgroup, linearInputGradSubgroup, linearWeightGradSubgroup, linearWeightGradU8Subgroup } from './linear_subgroup.js';
import { rowGroupsFor, subgroupSize } from './subgroups.js';
import { MAX_TILE_COLS, MAX_TILE_ROWS, tiledLimitProblem, tiledTileProblem, tileProblem } from './tiles.js';

/** The epilogue preludes every dense kernel is compiled with: the dense rows' layout, ACT (activation_fn) and the dropout mask. */
export const LINEAR_EPILOGUE = ['prelude/linear_rows', 'prelude/activation_fn', DROPOUT_PRELUDE] as const;
/** The f32 prologue of shaders/linear.wgsl: a layer's activations, one value per load. */
const F32_INPUT = ['prelude/linear_input_f32', 'prelude/x_f32'] as const;

const SHAPE = ['K', 'N'] as const;
const u8Problem = (c: Constants, multiple: number): string | null =>
  c.K % multiple !== 0 ? `K must be a multiple of ${multiple} (pixels are packed 4 per word${multiple === 16 ? ', read 16 at a time' : ''}), not ${c.K}` : null;
const actProblem = (c: Constants): string | null =>
  Object.values(ACTIVATION_CODES).includes(c.ACT as 0 | 1 | 2) ? null : `ACT must be one of ACTIVATION_CODES (0 none, 1 sigmoid, 2 ReLU), not ${c.ACT}`;
const tiles = (c: Constants): string | null => tileProblem('TR', c.TR, MAX_TILE_ROWS) ?? tileProblem('TC', c.TC, MAX_TILE_COLS);

// The register-tiled shape: shaders/linear.wgsl. A TR x TC block of the output per invocation (TR + TC loads for
// TR * TC multiply-adds); for the weight gradient, TR loads of x (TR rows of dW, 4 TR for the u8 input) by TC columns.
const forwardSpec = {
  shader: 'linear',
  entryPoint: 'forward',
  shape: SHAPE,
  step: true,
  tunable: true,
  constants: { TR: 8, TC: 4, ACT: 0 },
  grid: (c: Constants, rows: number): [number] => [ceilDiv(ceilDiv(rows, c.TR) * ceilDiv(c.N, c.TC), c.WG)],
};

/** out = act(x·W + b) then dropout, x: [rows, K], W: [K, N]. Constants: ACT, TR, TC, dropout's (kernels/dropout_mask.ts; default off). */
export const linearForward = defineKernel<'x' | 'w' | 'b' | 'out', 'K' | 'N'>({
  ...forwardSpec,
  preludes: [...F32_INPUT, ...LINEAR_EPILOGUE],
  checkConstants: (c) => actProblem(c) ?? tiles(c),
});

/** The first layer's out = act(images[order[row0 + r]] / 255 · W + b) from the resident u8 dataset, and y = the step's labels. Constants as linearForward's. */
export const linearForwardU8 = defineKernel<'images' | 'labels' | 'order' | 'w' | 'b' | 'out' | 'y', 'K' | 'N'>({
  ...forwardSpec,
  preludes: ['prelude/linear_input_u8', ...LINEAR_EPILOGUE],
  checkConstants: (c) => u8Problem(c, 4) ?? actProblem(c) ?? tiles(c),
});

/**
 * dx = (dy·Wᵀ) ⊙ act'(h) ⊙ dropout mask / (1 - p), dy: [rows, N], W: [K, N], h and dx: [rows, K]. ACT: the activation
 * that produced h (2: ReLU's [h > 0], 1: the sigmoid's h(1 - h), 0: none, h unread); dropout's constants: the layer's
 * that produced h.
 */
export const linearInputGrad = defineKernel<'dy' | 'w' | 'h' | 'dx', 'K' | 'N'>({
  shader: 'linear',
  entryPoint: 'input_grad',
  shape: SHAPE,
  step: true,
  preludes: [...F32_INPUT, ...LINEAR_EPILOGUE],
  tunable: true,
  constants: { TR: 8, TC: 4, ACT: 0 },
  checkConstants: (c) => actProblem(c) ?? tiles(c),
  grid: (c, rows) => [ceilDiv(ceilDiv(rows, c.TR) * ceilDiv(c.K, c.TC), c.WG)],
});

const weightGradSpec = {
  shader: 'linear',
  entryPoint: 'weight_grad',
  shape: SHAPE,
  step: true,
  tunable: true,
};

/** dW = xᵀ·dy, x: [rows, K], dy: [rows, N], dW: [K, N]; a block of TR rows x TC columns of dW per invocation. */
export const linearWeightGrad = defineKernel<'x' | 'dy' | 'dw', 'K' | 'N'>({
  ...weightGradSpec,
  preludes: [...F32_INPUT, ...LINEAR_EPILOGUE],
  constants: { TR: 8, TC: 4 },
  checkConstants: tiles,
  grid: (c) => [ceilDiv(ceilDiv(c.K, c.TR) * ceilDiv(c.N, c.TC), c.WG)],
});

/** The first layer's dW = (images[order[row0 + r]] / 255)ᵀ·dy; a block of TR words (4 TR rows of dW) x TC columns per invocation. */
export const linearWeightGradU8 = defineKernel<'images' | 'order' | 'dy' | 'dw', 'K' | 'N'>({
  ...weightGradSpec,
  preludes: ['prelude/linear_input_u8', ...LINEAR_EPILOGUE],
  constants: { TR: 2, TC: 4 },
  checkConstants: (c) => u8Problem(c, 4) ?? tileProblem('TR', c.TR, MAX_TILE_ROWS / 4) ?? tileProblem('TC', c.TC, MAX_TILE_COLS),
  grid: (c) => [ceilDiv(ceilDiv(c.K / 4, c.TR) * ceilDiv(c.N, c.TC), c.WG)],
});

// The workgroup-memory shape: shaders/linear.wgsl's *_tiled entry points, a BM x BN block of the output per
// workgroup of (BM / TM) x (BN / TN) invocations through BK-deep slices staged in workgroup memory: the tuning's
// TiledTile (gpu/tuning.ts MlpTiles.tiled) as overrides, the grid from the same overrides. No WG: the invocations
// follow from the tile.

/** The overrides of the *_tiled entries (shaders/linear.wgsl) for tile `t`. */
export const tiledConstants = (t: TiledTile): { BM: number; BN: number; BK: number; TM: number; TN: number } => ({ BM: t.rows, BN: t.cols, BK: t.depth, TM: t.blockRows, TN: t.blockCols });
const tileOf = (c: Constants): TiledTile => ({ rows: c.BM, cols: c.BN, depth: c.BK, blockRows: c.TM, blockCols: c.TN });

/** What every kernel of the workgroup-memory shape (here and kernels/conv2d_implicit_gemm.ts) shares: the tile's overrides and their checks. */
export const TILED_SPEC = {
  tunable: false,
  constants: tiledConstants(DEFAULT_TILED),
  checkLimits: (c: Constants, limits: GPUSupportedLimits) => tiledLimitProblem(tileOf(c), limits),
} as const;
/** Why the tile overrides in `c` cannot be compiled, or null. */
export const tiledConstantsProblem = (c: Constants): string | null => tiledTileProblem(tileOf(c));

const tiledSpec = (entryPoint: string) => ({ ...TILED_SPEC, shader: 'linear', entryPoint, shape: SHAPE, step: true });
/** Workgroups of the product [rows, cols]: a BN-wide column of tiles by a BM-high row of them. */
const tiledGrid = (c: Constants, rows: number, cols: number): [number, number] => [ceilDiv(cols, c.BN), ceilDiv(rows, c.BM)];

/** linearForward in the workgroup-memory shape. Constants: ACT, dropout's, the tile's (BM, BN, BK, TM, TN; tiledConstants). */
export const linearForwardTiled = defineKernel<'x' | 'w' | 'b' | 'out', 'K' | 'N'>({
  ...tiledSpec('forward_tiled'),
  preludes: [...F32_INPUT, ...LINEAR_EPILOGUE],
  constants: { ...TILED_SPEC.constants, ACT: 0 },
  checkConstants: (c) => actProblem(c) ?? tiledConstantsProblem(c),
  grid: (c, rows) => tiledGrid(c, rows, c.N),
});

/** linearForwardU8 in the workgroup-memory shape. */
export const linearForwardU8Tiled = defineKernel<'images' | 'labels' | 'order' | 'w' | 'b' | 'out' | 'y', 'K' | 'N'>({
  ...tiledSpec('forward_tiled'),
  preludes: ['prelude/linear_input_u8', ...LINEAR_EPILOGUE],
  constants: { ...TILED_SPEC.constants, ACT: 0 },
  checkConstants: (c) => u8Problem(c, 4) ?? actProblem(c) ?? tiledConstantsProblem(c),
  grid: (c, rows) => tiledGrid(c, rows, c.N),
});

/** linearInputGrad in the workgroup-memory shape. */
export const linearInputGradTiled = defineKernel<'dy' | 'w' | 'h' | 'dx', 'K' | 'N'>({
  ...tiledSpec('input_grad_tiled'),
  preludes: [...F32_INPUT, ...LINEAR_EPILOGUE],
  constants: { ...TILED_SPEC.constants, ACT: 0 },
  checkConstants: (c) => actProblem(c) ?? tiledConstantsProblem(c),
  grid: (c, rows) => tiledGrid(c, rows, c.K),
});

/** linearWeightGrad in the workgroup-memory shape: dW [K, N] in BM x BN tiles, the step's rows in BK-deep slices. */
export const linearWeightGradTiled = defineKernel<'x' | 'dy' | 'dw', 'K' | 'N'>({
  ...tiledSpec('weight_grad_tiled'),
  preludes: [...F32_INPUT, ...LINEAR_EPILOGUE],
  checkConstants: tiledConstantsProblem,
  grid: (c) => tiledGrid(c, c.K, c.N),
});

/** linearWeightGradU8 in the workgroup-memory shape. */
export const linearWeightGradU8Tiled = defineKernel<'images' | 'order' | 'dy' | 'dw', 'K' | 'N'>({
  ...tiledSpec('weight_grad_tiled'),
  preludes: ['prelude/linear_input_u8', ...LINEAR_EPILOGUE],
  checkConstants: (c) => u8Problem(c, 4) ?? tiledConstantsProblem(c),
  grid: (c) => tiledGrid(c, c.K, c.N),
});

type Shape = { K: number; N: number };
type ConstantsIn = Record<string, number>;
/**
 * auto: the tiles' choice (MlpTiles: the workgroup-memory shape where workgroupMemory is set, else the subgroup
 * shape where it applies, else register tiles); generic (register tiles), subgroup, tiled (workgroup memory): that
 * one (subgroup throws where it cannot run).
 */
export type LinearVariant = 'auto' | 'generic' | 'subgroup' | 'tiled';

/**
 * How a dense kernel's shape is chosen: the variant (default auto) and the tiles. A model passes its
 * StepContext.tuning.dense (which a benchmark sweep may override); called outside a model (tests, benches), the
 * adapter's table (gpu/tuning.ts MLP_TILES).
 */
export interface LinearChoice {
  variant?: LinearVariant;
  tiles?: MlpTiles;
}

const variantOf = (choice: LinearChoice): LinearVariant => choice.variant ?? 'auto';
const tilesOf = (gpu: Gpu, choice: LinearChoice): MlpTiles => choice.tiles ?? mlpTilesFor(gpu.adapterInfo);

/** Whether to take the workgroup-memory shape. */
const tiled = (gpu: Gpu, choice: LinearChoice): boolean => variantOf(choice) === 'tiled' || (variantOf(choice) === 'auto' && tilesOf(gpu, choice).workgroupMemory);

/** The subgroup size to use for `shape` (K a multiple of `kMultiple`: the subgroup kernel's reads), or null for the register-tiled shape. */
function subgroupFor(gpu: Gpu, shape: Shape, kMultiple: 1 | 4 | 16, choice: LinearChoice): number | null {
  const variant = variantOf(choice);
  if (variant === 'generic' || variant === 'tiled' || !tilesOf(gpu, choice).subgroups.enabled) return null;
  const sg = subgroupSize(gpu);
  const fits = sg !== null && shape.N % 4 === 0 && shape.K % kMultiple === 0;
  if (variant === 'subgroup' && !fits) throw new RangeError(`no subgroup path for K ${shape.K}, N ${shape.N} on this adapter (subgroup size ${sg ?? 'unknown'})`);
  return fits ? sg : null;
}

const sgConstants = (sg: number) => ({ SG: sg, RG: rowGroupsFor(sg) });
/** A workgroup-memory kernel's creation options: the choice's tile (tiledConstants), then `constants`. */
const tiledOptions = (gpu: Gpu, choice: LinearChoice, rows: number, constants: ConstantsIn = {}) => ({ rows, constants: { ...tiledConstants(tilesOf(gpu, choice).tiled), ...constants } });
/**
 * The subgroup kernels' workgroup for a layer whose work spans `lanes` lanes (N / 4 column quads, or K / TC for the
 * input gradient): as many subgroups as the tuned size allows, fewer where that leaves fewer idle ones. lavapipe
 * runs a workgroup's idle subgroups in full, so LeNet's fc1 and fc2 (30 and 21 quads) spent over half their time
 * in them at 64 lanes (fc forward 1.9 -> 1.0 ms), and fc1's input gradient (200 lanes) a fifth of it in 4
 * workgroups of 64 instead of 5 of 40.
 */
export function sgWorkgroup(tiles: MlpTiles, sg: number, lanes: number): number {
  const most = Math.max(1, Math.ceil(tiles.subgroups.workgroup / sg));
  const subgroups = Math.ceil(lanes / sg);
  const idle = (m: number) => Math.ceil(subgroups / m) * m - subgroups;
  let best = 1;
  for (let m = 2; m <= Math.min(most, subgroups); m++) if (idle(m) <= idle(best)) best = m;
  return best * sg;
}

/** out = act(x·W + b) (ACT and dropout constants in `constants`). */
export function createLinearForward(gpu: Gpu, shape: Shape, rows: number, constants: ConstantsIn = {}, choice: LinearChoice = {}) {
  if (tiled(gpu, choice)) return linearForwardTiled.create(gpu, shape, tiledOptions(gpu, choice, rows, constants));
  const tiles = tilesOf(gpu, choice);
  const sg = subgroupFor(gpu, shape, 4, choice);
  if (sg) return linearForwardSubgroup.create(gpu, shape, { rows, workgroup: sgWorkgroup(tiles, sg, shape.N / 4), constants: { ...sgConstants(sg), ...constants } });
  const t = tiles.forward;
  return linearForward.create(gpu, shape, { rows, workgroup: t.workgroup, constants: { TR: t.rows, TC: t.cols, ...constants } });
}

/** The first layer's out = act(images[order] / 255 · W + b), y = labels[order]. */
export function createLinearForwardU8(gpu: Gpu, shape: Shape, rows: number, constants: ConstantsIn = {}, choice: LinearChoice = {}) {
  if (tiled(gpu, choice)) return linearForwardU8Tiled.create(gpu, shape, tiledOptions(gpu, choice, rows, constants));
  const tiles = tilesOf(gpu, choice);
  const sg = subgroupFor(gpu, shape, 16, choice);
  if (sg) return linearForwardU8Subgroup.create(gpu, shape, { rows, workgroup: sgWorkgroup(tiles, sg, shape.N / 4), constants: { ...sgConstants(sg), ...constants } });
  const t = tiles.forward;
  return linearForwardU8.create(gpu, shape, { rows, workgroup: t.workgroup, constants: { TR: t.rows, TC: t.cols, ...constants } });
}

/** dx = (dy·Wᵀ) ⊙ act'(h) ⊙ the dropout mask of the layer that produced h (ACT and its dropout constants in `constants`). */
export function createLinearInputGrad(gpu: Gpu, shape: Shape, rows: number, constants: ConstantsIn = {}, choice: LinearChoice = {}) {
  if (tiled(gpu, choice)) return linearInputGradTiled.create(gpu, shape, tiledOptions(gpu, choice, rows, constants));
  const tiles = tilesOf(gpu, choice);
  const sg = subgroupFor(gpu, shape, 1, choice);
  if (sg) {
    const TC = tiles.subgroups.kPerLane;
    return linearInputGradSubgroup.create(gpu, shape, { rows, workgroup: sgWorkgroup(tiles, sg, Math.ceil(shape.K / TC)), constants: { ...sgConstants(sg), TC, ...constants } });
  }
  const t = tiles.inputGrad;
  return linearInputGrad.create(gpu, shape, { rows, workgroup: t.workgroup, constants: { TR: t.rows, TC: t.cols, ...constants } });
}

/** dW = xᵀ·dy. */
export function createLinearWeightGrad(gpu: Gpu, shape: Shape, rows: number, choice: LinearChoice = {}) {
  if (tiled(gpu, choice)) return linearWeightGradTiled.create(gpu, shape, tiledOptions(gpu, choice, rows));
  const tiles = tilesOf(gpu, choice);
  const sg = subgroupFor(gpu, shape, 4, choice);
  if (sg) return linearWeightGradSubgroup.create(gpu, shape, { rows, workgroup: sgWorkgroup(tiles, sg, shape.N / 4), constants: { SG: sg, TV: tiles.subgroups.words } });
  const t = tiles.weightGrad;
  return linearWeightGrad.create(gpu, shape, { rows, workgroup: t.workgroup, constants: { TR: t.rows, TC: t.cols } });
}

/** The first layer's dW = (images[order] / 255)ᵀ·dy. */
export function createLinearWeightGradU8(gpu: Gpu, shape: Shape, rows: number, choice: LinearChoice = {}) {
  if (tiled(gpu, choice)) return linearWeightGradU8Tiled.create(gpu, shape, tiledOptions(gpu, choice, rows));
  const tiles = tilesOf(gpu, choice);
  const sg = subgroupFor(gpu, shape, 16, choice);
  if (sg) return linearWeightGradU8Subgroup.create(gpu, shape, { rows, workgroup: sgWorkgroup(tiles, sg, shape.N / 4), constants: { SG: sg, TV: tiles.subgroups.chunks } });
  const t = tiles.weightGradU8;
  return linearWeightGradU8.create(gpu, shape, { rows, workgroup: t.workgroup, constants: { TR: t.words, TC: t.cols } });
}

/**
 * `kernel` with its bindings named otherwise at bind(): `names` maps a caller's name to the WGSL's. For the callers
 * that name the template's buffers as the kernels it replaced did (matmul_bias's `logits`, weight_grad's `dlogits`).
 */
export function withBindingNames<Wgsl extends string, Caller extends string>(kernel: BoundKernel<Wgsl>, names: Partial<Record<Caller, Wgsl>>): BoundKernel<Caller> {
  const renamed = Object.create(kernel) as BoundKernel<Caller>;
  renamed.bind = (buffers, label) =>
    kernel.bind(Object.fromEntries(Object.entries(buffers).map(([name, buffer]) => [names[name as Caller] ?? name, buffer])) as Record<Wgsl, GPUBuffer | GPUBufferBinding>, label);
  return renamed;
}
