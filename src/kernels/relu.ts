import { ACTIVATION_CODES, activationSpec } from './activation.js';
import { defineKernel } from './kernel.js';

/**
 * out = max(x, 0) over a step's [rows, N] values (d2l 4.2's relu as its own kernel); four values an invocation where
 * N % 4 == 0 (prelude/quads.wgsl), else one. activation.wgsl's forward with ACT fixed to ReLU: the same bindings x, out.
 */
export const relu = defineKernel<'x' | 'out', 'N'>({ ...activationSpec, entryPoint: 'forward', constants: { ACT: ACTIVATION_CODES.relu } });
