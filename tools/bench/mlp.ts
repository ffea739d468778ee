/**
 * The MLP section of `npm run bench` (`--model mlp`): d2l 4.3's MLP, 784-256-10 with ReLU, weights N(0, 0.01²),
 * zero biases, SGD lr 0.1, batch 256, trained by ours (the concise `mlp` model, and `mlp-scratch`) and by its
 * peers: PyTorch on the CPU (pytorch_mlp.py), TensorFlow.js webgpu (tfjs_nets.ts) and jax-js webgpu (jax.ts) on
 * the same dawn.node adapter.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ChildContender } from './child.js';
import { jaxPeer } from './jax.js';
import { OursContender } from './ours.js';
import { BENCH_PYTHON } from './peers.js';
import type { Section } from './section.js';

/**
 * Flops per training sample: forward x·W1 and h·W2, backward dW1 = xᵀ·dZ1, dW2 = hᵀ·dlogits and dH = dlogits·W2ᵀ
 * (2 flops per multiply-add; the first layer has no input gradient): 2·(2·784·256 + 3·256·10).
 */
export const MLP_FLOP_PER_SAMPLE = 2 * (2 * 784 * 256 + 3 * 256 * 10);

/** A script next to this file when run from source; compiled code in dist/tools/bench/ looks back in tools/bench/. */
export function benchScript(name: string): string {
  const here = fileURLToPath(new URL(`./${name}`, import.meta.url));
  return existsSync(here) ? here : fileURLToPath(new URL(`../../../tools/bench/${name}`, import.meta.url));
}

export const mlpSection: Section = {
  model: 'mlp',
  description: 'MLP 784 -> 256 -> 10, ReLU (d2l 4.3)',
  flopPerSample: MLP_FLOP_PER_SAMPLE,
  defaultEpochs: 3,
  lr: () => 0.1,
  contenders: (opts) => [
    { name: 'ours mlp (Sequential layers, fused dense kernels)', role: 'ours', make: () => new OursContender('ours mlp (Sequential layers, fused dense kernels)', { model: 'mlp' }) },
    {
      name: 'ours mlp-scratch (relu and dropout kernels, backward written out)',
      role: 'ours',
      make: () => new OursContender('ours mlp-scratch (relu and dropout kernels, backward written out)', { model: 'mlp-scratch' }),
    },
    {
      name: 'tfjs-webgpu mlp (custom loop)',
      role: 'peer',
      make: () => new ChildContender('tfjs-webgpu mlp (custom loop)', { command: process.execPath, args: [fileURLToPath(new URL('./run-net-peer.js', import.meta.url))], optional: true }),
    },
    jaxPeer('mlp'),
    ...opts.devices.map((device) => ({
      name: `pytorch-${device} mlp`,
      role: 'peer' as const,
      make: () => new ChildContender(`pytorch-${device} mlp`, { command: BENCH_PYTHON, args: [benchScript('pytorch_mlp.py'), `--device=${device}`, `--threads=${opts.threads}`], optional: true }),
    })),
  ],
  targets: [
    { what: 'ours <= 2x PyTorch CPU, 1 thread', peer: 'pytorch', limit: 2 },
    { what: 'ours <= 0.1x tfjs-webgpu (same adapter)', peer: 'tfjs-webgpu', limit: 0.1 },
    { what: 'ours <= 0.1x jax-js-webgpu (same adapter)', peer: 'jax-js', limit: 0.1 },
  ],
  settings: () => ({}),
};
