/**
 * The subgroup shape of the dense contraction template (shaders/linear_subgroup.wgsl; kernels/linear.ts explains
 * the template and chooses): the same computations and binding names as the register-tiled kernels, for shapes
 * with N % 4 == 0 (and K % 4, or K % 16 for the u8 input, where x is read), on an adapter with one known subgroup
 * size SG.
 */
import { DROPOUT_PRELUDE } from './dropout_mask.js';
import { ceilDiv, type Constants, defineKernel } from './kernel.js';
import { MAX_ROW_GROUPS } from './subgroups.js';
import { tileProblem } from './tiles.js';

const F32 = ['prelude/linear_input_f32_subgroup', 'prelude/x_vec4_subgroup', 'prelude/linear_rows_subgroup', 'prelude/activation_fn', DROPOUT_PRELUDE];
const U8 = ['prelude/linear_input_u8_subgroup', 'prelude/linear_rows_subgroup', 'prelude/activation_fn', DROPOUT_PRELUDE];
const SHAPE = ['K', 'N'] as const;
const common = (c: Constants, kMultiple: number): string | null =>
  c.N % 4 !== 0 ? `N must be a multiple of 4 (read as vec4), not ${c.N}`
  : c.K % kMultiple !== 0 ? `K must be a multiple of ${kMultiple} (read ${kMultiple === 16 ? '16 packed pixels' : 'as vec4'} at a time), not ${c.K}`
  : c.WG % c.SG !== 0 ? `the workgroup (${c.WG}) must be a multiple of the subgroup size (${c.SG})`
  : ![0, 1, 2].includes(c.ACT ?? 0) ? `ACT must be one of ACTIVATION_CODES (0 none, 1 sigmoid, 2 ReLU), not ${c.ACT}`
  : null;
const rows = (c: Constants) => c.RG * c.SG;

const forward = {
  shader: 'linear_subgroup',
  entryPoint: 'forward',
  shape: SHAPE,
  step: true,
  tunable: true,
  constants: { SG: 8, RG: 2, ACT: 0 },
  grid: (c: Constants, r: number): [number, number] => [ceilDiv(c.N / 4, c.WG), ceilDiv(r, rows(c))],
};

/** out = act(x·W + b) then dropout; K % 4 == 0. RG * SG rows per workgroup, lanes over column quads. */
export const linearForwardSubgroup = defineKernel<'x' | 'w' | 'b' | 'out', 'K' | 'N'>({
  ...forward,
  preludes: F32,
  checkConstants: (c) => common(c, 4) ?? tileProblem('RG', c.RG, MAX_ROW_GROUPS),
});

/** The first layer's out = act(images[order] / 255 · W + b), y = the step's labels; K % 16 == 0 (16 pixels a load). */
export const linearForwardU8Subgroup = defineKernel<'images' | 'labels' | 'order' | 'w' | 'b' | 'out' | 'y', 'K' | 'N'>({
  ...forward,
  preludes: U8,
  checkConstants: (c) => common(c, 16) ?? tileProblem('RG', c.RG, MAX_ROW_GROUPS),
});

/** dx = (dy·Wᵀ) ⊙ act'(h) ⊙ dropout mask, any K; TC values of k per lane. */
export const linearInputGradSubgroup = defineKernel<'dy' | 'w' | 'h' | 'dx', 'K' | 'N'>({
  shader: 'linear_subgroup',
  entryPoint: 'input_grad',
  shape: SHAPE,
  step: true,
  preludes: F32,
  tunable: true,
  constants: { SG: 8, RG: 2, TC: 2, ACT: 0 },
  checkConstants: (c) => common(c, 1) ?? tileProblem('RG', c.RG, MAX_ROW_GROUPS) ?? tileProblem('TC', c.TC, 4),
  grid: (c, r) => [ceilDiv(c.K, c.WG * c.TC), ceilDiv(r, rows(c))],
});

const weightGrad = {
  shader: 'linear_subgroup',
  entryPoint: 'weight_grad',
  shape: SHAPE,
  step: true,
  tunable: true,
  constants: { SG: 8, TV: 2 },
};

/** dW = xᵀ·dy; K % 4 == 0; TV vec4s of x (4 TV rows of dW) per workgroup. */
export const linearWeightGradSubgroup = defineKernel<'x' | 'dy' | 'dw', 'K' | 'N'>({
  ...weightGrad,
  preludes: F32,
  checkConstants: (c) => common(c, 4) ?? tileProblem('TV', c.TV, 4),
  grid: (c) => [ceilDiv(c.N / 4, c.WG), ceilDiv(c.K / 4, c.TV)],
});

/** The first layer's dW = (images[order] / 255)ᵀ·dy; K % 16 == 0; TV chunks of 16 pixels (16 TV rows of dW) per workgroup. */
export const linearWeightGradU8Subgroup = defineKernel<'images' | 'order' | 'dy' | 'dw', 'K' | 'N'>({
  ...weightGrad,
  preludes: U8,
  checkConstants: (c) => common(c, 16) ?? tileProblem('TV', c.TV, 4),
  grid: (c) => [ceilDiv(c.N / 4, c.WG), ceilDiv(c.K / 16, c.TV)],
});
