/**
 * The LeNet section of `npm run bench` (`--model lenet`, or `npm run bench -- lenet`, `npm run bench:lenet`):
 * d2l 6.6's LeNet (sigmoid and average pooling, lr 0.9; `--activation relu --pool max`, lr 0.1, the modern
 * variant), Xavier-uniform weights, batch 256, trained by ours and by its peers: PyTorch on the CPU
 * (pytorch_lenet.py, 1 thread), TensorFlow.js webgpu (tfjs_nets.ts's lenetNet) and jax-js webgpu (jax.ts's
 * lenetJaxNet) on the same dawn.node adapter. A tfjs-webgpu LeNet epoch takes minutes on lavapipe:
 * `--only ours,pytorch` leaves it out.
 */
import { fileURLToPath } from 'node:url';
import { ChildContender } from './child.js';
import { jaxPeer } from './jax.js';
import { benchScript } from './mlp.js';
import { OursContender } from './ours.js';
import { BENCH_PYTHON } from './peers.js';
import type { Section } from './section.js';

/**
 * Multiply-adds x2 per sample of LeNet on 1x28x28 (forward; each layer's weight gradient costs the same again,
 * and each input gradient too except conv1's, which is not computed):
 *   conv1 6·28·28·25 = 117,600   conv2 16·10·10·150 = 240,000   fc1 400·120 = 48,000   fc2 120·84 = 10,080
 *   fc3 84·10 = 840  ->  forward 416,520 MACs; forward + both backward = 3 · 416,520 - 117,600 = 1,131,960 MACs
 * = 2.264 MFLOP per sample, 135.8 GFLOP per 60,000-sample epoch (pooling, activations, loss and SGD not counted).
 */
export const LENET_FLOP_PER_SAMPLE = 2 * (3 * 416_520 - 117_600);

export const lenetSection: Section = {
  model: 'lenet',
  description: 'LeNet (d2l 6.6): sigmoid and average pooling, or --activation relu --pool max',
  flopPerSample: LENET_FLOP_PER_SAMPLE,
  flopNote: `(${(LENET_FLOP_PER_SAMPLE / 1e6).toFixed(3)} MFLOP per sample: forward and both backward passes of the convolutions and dense layers)`,
  defaultEpochs: 1,
  lr: (opts) => (opts.activation === 'relu' ? 0.1 : 0.9),
  contenders: ({ activation, pool, devices, threads }) => {
    const variant = `(${activation}, ${pool}-pool)`;
    const tfjsName = `tfjs-webgpu lenet ${variant} (custom loop)`;
    const runNetPeer = fileURLToPath(new URL('./run-net-peer.js', import.meta.url));
    return [
      { name: `ours lenet ${variant}`, role: 'ours', make: () => new OursContender(`ours lenet ${variant}`, { model: 'lenet', modelOptions: { activation, pool } }) },
      ...devices.map((device) => ({
        name: `pytorch-${device} lenet`,
        role: 'peer' as const,
        make: () =>
          new ChildContender(`pytorch-${device} lenet`, { command: BENCH_PYTHON, args: [benchScript('pytorch_lenet.py'), `--device=${device}`, `--threads=${threads}`, `--activation=${activation}`, `--pool=${pool}`], optional: true }),
      })),
      { name: tfjsName, role: 'peer', make: () => new ChildContender(tfjsName, { command: process.execPath, args: [runNetPeer, '--model=lenet', `--activation=${activation}`, `--pool=${pool}`], optional: true }) },
      jaxPeer('lenet', { activation, pool }),
    ];
  },
  targets: [
    { what: 'ours <= 2x PyTorch CPU, 1 thread', peer: 'pytorch', limit: 2 },
    { what: '(for reference) ours vs tfjs-webgpu (same adapter)', peer: 'tfjs-webgpu', limit: 1 },
    { what: '(for reference) ours vs jax-js-webgpu (same adapter)', peer: 'jax-js', limit: 1 },
  ],
  settings: ({ activation, pool }) => ({ activation, pool }),
};
