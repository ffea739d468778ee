/**
 * The softmax section of `npm run bench` (the default, `--model softmax`): d2l 3.6's softmax regression, 784 -> 10,
 * W ~ N(0, 0.01²), b = 0, SGD lr 0.1, batch 256, trained by ours under three orchestrations, the CPU reference
 * trainer, TensorFlow.js (webgpu on the same dawn.node adapter, and wasm), jax-js (webgpu, same adapter) and
 * PyTorch on the CPU (and CUDA with --device).
 */
import { jaxPeer } from './jax.js';
import { OursContender, ReferenceContender } from './ours.js';
import { isolatedPeer, pytorchPeer } from './peers.js';
import type { Section } from './section.js';

/** Forward x·W and backward xᵀ·dlogits, 2·784·10 flops per sample each (the performance issue's count). */
export const SOFTMAX_FLOP_PER_SAMPLE = 2 * 2 * 784 * 10;

export const softmaxSection: Section = {
  model: 'softmax',
  description: 'softmax regression 784 -> 10 (d2l 3.6)',
  flopPerSample: SOFTMAX_FLOP_PER_SAMPLE,
  defaultEpochs: 3,
  lr: () => 0.1,
  contenders: (opts) => [
    { name: 'ours (default: fused kernels, ~10 submits/epoch)', role: 'ours', make: () => new OursContender('ours (default: fused kernels, ~10 submits/epoch)') },
    // The straightforward orchestration: one kernel per stage (the scratch model) and one submit per step.
    {
      name: 'ours (straightforward: separate kernels, one submit per step)',
      role: 'ours',
      make: () => new OursContender('ours (straightforward: separate kernels, one submit per step)', { modelOptions: { kernels: 'separate' }, stepsPerSubmit: 1 }),
    },
    // Fused kernels but one submit per step: separates what fusion buys from what batching submits buys.
    {
      name: 'ours (fused kernels, one submit per step)',
      role: 'ours',
      make: () => new OursContender('ours (fused kernels, one submit per step)', { modelOptions: { kernels: 'fused' }, stepsPerSubmit: 1 }),
    },
    { name: 'CPU reference (TypeScript, f64)', role: 'reference', make: () => new ReferenceContender() },
    { name: 'tfjs-webgpu (custom loop)', role: 'peer', make: () => isolatedPeer('tfjs-webgpu') },
    { name: 'tfjs-wasm (custom loop)', role: 'peer', make: () => isolatedPeer('tfjs-wasm') },
    jaxPeer('softmax'),
    ...opts.devices.map((device) => ({ name: `pytorch-${device}`, role: 'peer' as const, make: () => pytorchPeer({ device, threads: opts.threads, compile: opts.compile }) })),
  ],
  targets: [
    { what: 'ours <= 0.1x tfjs-webgpu (same adapter)', peer: 'tfjs-webgpu', limit: 0.1 },
    { what: 'ours faster than tfjs-wasm', peer: 'tfjs-wasm', limit: 1 },
    { what: 'ours <= 2x PyTorch (moonshot)', peer: 'pytorch', limit: 2 },
    { what: 'ours <= 0.5x the straightforward orchestration', peer: 'straightforward', limit: 0.5 },
    { what: '(for reference) ours vs fused kernels with one submit per step', peer: 'fused kernels, one submit', limit: 1 },
    { what: 'same final train loss as tfjs-webgpu (|difference| <= 0.005)', peer: 'tfjs-webgpu', limit: 0.005, measure: 'lossGap' },
  ],
  settings: () => ({}),
};
