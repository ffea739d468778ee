/**
 * The sum of a trainable's gradient over the chunks of one step, the entry points of
 * shaders/accumulate_gradient.wgsl (train/gradient_chunks.ts records them). Each covers COUNT elements, one
 * invocation per 4 (buffers from gpu/buffers.ts, padded to whole vec4s), on a 2-D grid for any size.
 */
import { ceilDiv, type Constants, defineKernel, spreadGrid } from './kernel.js';

const spec = { shader: 'accumulate_gradient', shape: ['COUNT'] as const, step: false, tunable: true, preludes: ['prelude/vec4_grid'], grid: (c: Constants) => spreadGrid(ceilDiv(ceilDiv(c.COUNT, 4), c.WG)) };

/** sum = grad: after a step's first chunk. */
export const gradientSumBegin = defineKernel<'grad' | 'sum', 'COUNT'>({ ...spec, entryPoint: 'begin' });

/** sum += grad: after each later chunk but the last. */
export const gradientSumAdd = defineKernel<'grad' | 'sum', 'COUNT'>({ ...spec, entryPoint: 'add' });

/** last_grad += earlier_sum: after the last chunk, leaving the step's gradient where the optimizer reads it. */
export const gradientSumFinish = defineKernel<'last_grad' | 'earlier_sum', 'COUNT'>({ ...spec, entryPoint: 'finish' });
