import { ceilDiv, defineKernel } from './kernel.js';

/** db = column sums of dlogits; one invocation per class. */
export const biasGrad = defineKernel<'dlogits' | 'db', 'N'>({
  shader: 'bias_grad',
  entryPoint: 'main',
  shape: ['N'],
  step: true,
  tunable: true,
  grid: (c) => [ceilDiv(c.N, c.WG)],
});

/** db[n] = the sum of dlogits [rows, N, P] over rows and the P pixels of plane n (a convolution's bias); one workgroup per channel. */
export const biasGradPlanes = defineKernel<'dlogits' | 'db', 'N' | 'P'>({
  shader: 'bias_grad',
  entryPoint: 'planes',
  shape: ['N', 'P'],
  step: true,
  tunable: true,
  grid: (c) => [c.N],
});
