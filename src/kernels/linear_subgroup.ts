/**
 * The dense-layer kernels' subgroup fast paths (shaders/linear_*_subgroup.wgsl): the same math and binding
 * names as the generic kernels, for shapes with N % 4 == 0 (and K % 4 == 0 where x is read as vec4), on an
 * adapter with one known subgroup size SG. Chosen by kernels/linear.ts.
 */
import { DROPOUT_PRELUDE } from './dropout_mask.js';
import { ceilDiv, type Constants, defineKernel } from './kernel.js';
import { MAX_ROW_GROUPS } from './subgroups.js';
import { tileProblem } from './tiles.js';

const common = (c: Constants, needK4: boolean): string | null =>
  c.N % 4 !== 0 ? `N must be a multiple of 4 (read as vec4), not ${c.N}`
  : needK4 && c.K % 4 !== 0 ? `K must be a multiple of 4 (read as vec4 or packed bytes), not ${c.K}`
  : c.WG % c.SG !== 0 ? `the workgroup (${c.WG}) must be a multiple of the subgroup size (${c.SG})`
  : null;
const rows = (c: Constants) => c.RG * c.SG;

export const linearForwardU8Subgroup = defineKernel<'images' | 'labels' | 'order' | 'w' | 'b' | 'out' | 'y', 'K' | 'N'>({
  shader: 'linear_forward_u8_subgroup',
  shape: ['K', 'N'],
  step: true,
  preludes: [DROPOUT_PRELUDE],
  tunable: true,
  constants: { SG: 8, RG: 2, RELU: 0 },
  checkConstants: (c) => common(c, true) ?? tileProblem('RG', c.RG, MAX_ROW_GROUPS),
  grid: (c, r) => [ceilDiv(c.N / 4, c.WG), ceilDiv(r, rows(c))],
});

export const linearForwardSubgroup = defineKernel<'x' | 'w' | 'b' | 'out', 'K' | 'N'>({
  shader: 'linear_forward_subgroup',
  shape: ['K', 'N'],
  step: true,
  preludes: [DROPOUT_PRELUDE],
  tunable: true,
  constants: { SG: 8, RG: 2, RELU: 0, SIGMOID: 0 },
  checkConstants: (c) => common(c, true) ?? tileProblem('RG', c.RG, MAX_ROW_GROUPS),
  grid: (c, r) => [ceilDiv(c.N / 4, c.WG), ceilDiv(r, rows(c))],
});

export const linearInputGradSubgroup = defineKernel<'dy' | 'w' | 'h' | 'dx', 'K' | 'N'>({
  shader: 'linear_input_grad_subgroup',
  shape: ['K', 'N'],
  step: true,
  preludes: [DROPOUT_PRELUDE],
  tunable: true,
  constants: { SG: 8, RG: 2, TC: 2, RELU_MASK: 1, SIGMOID_SLOPE: 0 },
  checkConstants: (c) => common(c, false) ?? tileProblem('RG', c.RG, MAX_ROW_GROUPS) ?? tileProblem('TC', c.TC, 4),
  grid: (c, r) => [ceilDiv(c.K, c.WG * c.TC), ceilDiv(r, rows(c))],
});

export const linearWeightGradU8Subgroup = defineKernel<'images' | 'order' | 'dy' | 'dw', 'K' | 'N'>({
  shader: 'linear_weight_grad_u8_subgroup',
  shape: ['K', 'N'],
  step: true,
  tunable: true,
  constants: { SG: 8, TV: 2 },
  checkConstants: (c) => (c.K % 16 !== 0 ? `K must be a multiple of 16 (read 16 packed pixels at a time), not ${c.K}` : (common(c, true) ?? tileProblem('TV', c.TV, 4))),
  grid: (c) => [ceilDiv(c.N / 4, c.WG), ceilDiv(c.K / 16, c.TV)],
});

export const linearWeightGradSubgroup = defineKernel<'x' | 'dy' | 'dw', 'K' | 'N'>({
  shader: 'linear_weight_grad_subgroup',
  shape: ['K', 'N'],
  step: true,
  tunable: true,
  constants: { SG: 8, TW: 4 },
  checkConstants: (c) => common(c, true) ?? tileProblem('TW', c.TW, 4),
  grid: (c) => [ceilDiv(c.N / 4, c.WG), ceilDiv(c.K / 4, c.TW)],
});
