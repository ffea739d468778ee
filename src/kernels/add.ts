import { ceilDiv, defineKernel, spreadGrid } from './kernel.js';

const spec = { shader: 'add', shape: ['N'] as const, step: true, tunable: true, grid: (c: Readonly<Record<string, number>>, rows: number) => spreadGrid(ceilDiv(rows * c.N, c.WG)) };

/** out = a + b over a step's [rows, N] values: a residual block's output, and its input's two gradients. */
export const add = defineKernel<'a' | 'b' | 'out', 'N'>({ ...spec, entryPoint: 'sum' });

/** out += b over a step's [rows, N] values: a third (and later) branch's gradient added to the input's. */
export const addInto = defineKernel<'b' | 'out', 'N'>({ ...spec, entryPoint: 'accumulate' });
