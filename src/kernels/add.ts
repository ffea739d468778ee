import { defineKernel, valuesGrid } from './kernel.js';

const spec = { shader: 'add', shape: ['N'] as const, step: true, tunable: true, preludes: ['prelude/quads'], grid: valuesGrid };

/** out = a + b over a step's [rows, N] values: a residual block's output, and its input's two gradients. */
export const add = defineKernel<'a' | 'b' | 'out', 'N'>({ ...spec, entryPoint: 'sum' });

/** out += b over a step's [rows, N] values: a third (and later) branch's gradient added to the input's. */
export const addInto = defineKernel<'b' | 'out', 'N'>({ ...spec, entryPoint: 'accumulate' });
