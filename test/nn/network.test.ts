/**
 * Networks written with nn.*: one training step on the GPU (every node's forward, the loss, every node's backward)
 * against the network's CPU twin (src/reference/network.ts, composed from the kernels' twins), and the twin's gradients
 * against finite differences. The step is read straight from the step recorder: its trainables' gradients, the
 * epoch's loss sum, and BatchNorm's running statistics.
 */
import { ACTIVATION_CODES } from '../../src/kernels/conv2d_shape.js';
import { describe, expect, it } from 'vitest';
import { readF32 } from '../../src/gpu/buffers.js';
import { uploadSplit } from '../../src/gpu/split.js';
import { createBuffer } from '../../src/gpu/buffers.js';
import { type LayerDecl, nn, type SequentialDecl } from '../../src/nn/declare.js';
import { sequentialNetworkModel } from '../../src/nn/model.js';
import { twinStep, type TwinTensors } from '../../src/reference/network.js';
import { Rng } from '../../src/random.js';
import { mlpTilesFor, type Tuning, tuningFor } from '../../src/gpu/tuning.js';
import { watchKernels } from '../../src/gpu/kernel.js';
import { subgroupSize } from '../../src/kernels/subgroups.js';
import { StepSlots } from '../../src/train/steps.js';
import { plainSgd } from '../../src/optim/index.js';
import { expectClose, testGpu } from '../kernels/harness.js';

const IMAGE = { channels: 1, height: 12, width: 12 };

/** The example network, with every layer kind but Sigmoid, Dropout, Residual and Concat. */
const convBn = (): SequentialDecl =>
  nn.Sequential(
    nn.Conv2d(1, 4, 3, { padding: 1 }), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(4, 6, 3, { stride: 2, padding: 1 }), nn.BatchNorm2d(6), nn.ReLU(),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 10),
  );
/** Dense layers with Sigmoid, BatchNorm1d and Dropout. */
const dense = (): SequentialDecl => nn.Sequential(nn.Flatten(), nn.Linear(144, 20), nn.BatchNorm1d(20), nn.Sigmoid(), nn.Dropout(0.3), nn.Linear(20, 10));
/** A residual block with a strided 1x1 shortcut, then one with the identity. */
const residual = (): SequentialDecl =>
  nn.Sequential(
    nn.Conv2d(1, 3, 3, { padding: 1 }), nn.ReLU(),
    nn.Residual(nn.Sequential(nn.Conv2d(3, 5, 3, { stride: 2, padding: 1 }), nn.ReLU(), nn.Conv2d(5, 5, 3, { padding: 1 })), nn.Conv2d(3, 5, 1, { stride: 2 })),
    nn.ReLU(),
    nn.Residual(nn.Sequential(nn.Conv2d(5, 5, 3, { padding: 1 }), nn.Sigmoid())),
    nn.Flatten(), nn.Linear(5 * 6 * 6, 10),
  );
/** An Inception-like concatenation of three branches (one a 3x3 stride-1 max pool), then padded average pooling. */
const concat = (): SequentialDecl =>
  nn.Sequential(
    nn.Conv2d(1, 3, 3, { padding: 1, stride: 2 }), nn.ReLU(),
    nn.Concat(nn.Conv2d(3, 2, 1), nn.Sequential(nn.Conv2d(3, 3, 3, { padding: 1 }), nn.ReLU()), nn.MaxPool2d(3, { stride: 1, padding: 1 })),
    nn.AvgPool2d(3, { stride: 2, padding: 1 }), nn.Flatten(), nn.Linear(8 * 3 * 3, 10),
  );

/**
 * LeNet's pattern at 12 px, where the adapter has subgroups run as fused blocks (nn/conv_block.ts): conv + Sigmoid +
 * 2x2 average pool, conv + ReLU + 2x2 max pool (input gradient as a flipped-kernel forward), then BatchNorm LeNet's
 * conv alone before BatchNorm2d, and a conv with only its activation.
 */
const lenetBlocks = (): SequentialDecl =>
  nn.Sequential(
    nn.Conv2d(1, 4, 5, { padding: 2 }), nn.Sigmoid(), nn.AvgPool2d(2),
    nn.Conv2d(4, 6, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(24, 10),
  );
/**
 * A LeNet block below a convolution of 20 channels: its input gradient has 20 output channels, past the subgroup
 * forward's 16, so it runs on conv2d_general (nn/conv2d_kernels.ts createConvInputGrad).
 */
const wideBlock = (): SequentialDecl =>
  nn.Sequential(
    nn.Conv2d(1, 20, 3, { padding: 1 }), nn.ReLU(),
    nn.Conv2d(20, 4, 5, { padding: 2 }), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(4 * 6 * 6, 10),
  );
const bnBlocks = (): SequentialDecl =>
  nn.Sequential(
    nn.Conv2d(1, 6, 5, { padding: 2 }), nn.BatchNorm2d(6), nn.Sigmoid(), nn.AvgPool2d(2),
    nn.Conv2d(6, 5, 3, { padding: 2 }), nn.ReLU(),
    nn.Flatten(), nn.Linear(5 * 8 * 8, 10),
  );

/**
 * Convolutions as implicit GEMM through the contraction template (kernels/conv2d_implicit_gemm.ts), built so at
 * this size by a tuning that takes every convolution: a first layer with 1 input channel (no input gradient
 * through the template), a strided one, a 1x1 in a residual block whose gradients fan out.
 */
const implicitGemm = (): SequentialDecl =>
  nn.Sequential(
    nn.Conv2d(1, 8, 3, { padding: 1 }), nn.BatchNorm2d(8), nn.ReLU(),
    nn.Conv2d(8, 4, 3, { stride: 2, padding: 1 }), nn.ReLU(),
    nn.Residual(nn.Sequential(nn.Conv2d(4, 4, 1), nn.ReLU(), nn.Conv2d(4, 4, 3, { padding: 1 }))),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 10),
  );
const TAKE_EVERY_CONV = { convGemmMinFlop: 0 };

/** How many BatchNorms of `net` have a ReLU or Sigmoid right after them in their Sequential. */
function normsWithActivation(net: LayerDecl): number {
  switch (net.type) {
    case 'Sequential':
      return net.layers.reduce((n, l, i) => n + normsWithActivation(l) + (/^BatchNorm/.test(l.type) && /^(ReLU|Sigmoid)$/.test(net.layers[i + 1]?.type ?? '') ? 1 : 0), 0);
    case 'Residual':
      return normsWithActivation(net.body) + (net.shortcut ? normsWithActivation(net.shortcut) : 0);
    case 'Concat':
      return net.branches.reduce((n, b) => n + normsWithActivation(b), 0);
    default:
      return 0;
  }
}

const NETS: Array<[string, () => SequentialDecl]> = [
  ['conv + BatchNorm2d + pools', convBn],
  ['dense + BatchNorm1d + Sigmoid + Dropout', dense],
  ['Residual', residual],
  ['Concat + padded pools', concat],
  ['LeNet blocks (conv + act + 2x2 pool fused)', lenetBlocks],
  ['BatchNorm LeNet blocks (conv alone, conv + act)', bnBlocks],
  ['LeNet block under 20 channels (its input gradient on conv2d_general)', wideBlock],
  ['implicit GEMM convolutions', implicitGemm],
  ['implicit GEMM convolutions, workgroup-memory shape', implicitGemm],
];

/** Random u8 images and labels. */
function dataset(count: number, seed: number) {
  const rng = new Rng(seed);
  return { images: Uint8Array.from({ length: count * 144 }, () => rng.int(256)), labels: Uint8Array.from({ length: count }, () => rng.int(10)), count };
}

async function gpuStep(net: SequentialDecl, rows: number, maxRows: number, seed: number, tuning: Partial<Tuning> = {}) {
  const gpu = await testGpu();
  const spec = sequentialNetworkModel.spec(IMAGE, 10, { net });
  const params = sequentialNetworkModel.init(spec, seed);
  const data = dataset(maxRows, seed);
  const model = await sequentialNetworkModel.create(gpu, spec, params);
  const train = uploadSplit(gpu.device, data, 144, 'train');
  const order = createBuffer(gpu.device, 'order', maxRows * 4);
  const positions = Uint32Array.from({ length: maxRows }, (_, i) => (i * 7) % maxRows);
  gpu.device.queue.writeBuffer(order, 0, positions);
  const shaders = new Set<string>();
  // The activations fused into a convolution's implicit GEMM (its window prologue) forward.
  const convActs: number[] = [];
  // The activations fused into BatchNorm's forward (training's and evaluation's kernels alike).
  const normActs: number[] = [];
  const stop = watchKernels(gpu, (k) => {
    shaders.add(k.shader);
    if (k.shader === 'batch_norm' && k.entryPoint === 'forward') normActs.push(k.constants.ACT ?? 0);
    if (k.preludes.includes('prelude/conv_window') && (k.entryPoint === 'forward' || k.entryPoint === 'forward_tiled')) convActs.push(k.constants.ACT ?? 0);
  });
  const recorder = await model.createStep({ train, order, maxRows, lr: 0.1, seed, tuning: { ...tuningFor(gpu.adapterInfo), ...tuning }, optimizer: plainSgd(0.1) } as Parameters<typeof model.createStep>[0]);
  stop();
  const slots = StepSlots.create(gpu.device, [{ row0: 0, rows }]);
  const encoder = gpu.device.createCommandEncoder();
  recorder.beginEpoch(encoder);
  const pass = encoder.beginComputePass();
  recorder.encodeStep(pass, slots.groups[0]);
  pass.end();
  recorder.endEpoch(encoder);
  gpu.device.queue.submit([encoder.finish()]);
  const trainables = (recorder as unknown as { trainables: Array<{ name: string; grad: GPUBuffer; shape: number[] }> }).trainables;
  const grads: Record<string, Float32Array> = {};
  for (const t of trainables) grads[t.name] = await readF32(gpu.device, t.grad, t.shape.reduce((a, b) => a * b, 1));
  const lossSum = (await readF32(gpu.device, recorder.lossSum, 1))[0];
  const tensors: Record<string, Float32Array> = {};
  for (const p of model.parameters) tensors[p.name] = await readF32(gpu.device, p.buffer, p.shape.reduce((a, b) => a * b, 1));
  recorder.destroy();
  model.destroy();
  // The twin: the same rows (order), the same initial tensors.
  const x = new Float64Array(rows * 144);
  const labels = new Uint32Array(rows);
  for (let r = 0; r < rows; r++) {
    const s = positions[r];
    for (let p = 0; p < 144; p++) x[r * 144 + p] = data.images[s * 144 + p] / 255;
    labels[r] = data.labels[s];
  }
  const twinTensors: TwinTensors = Object.fromEntries(Object.entries(params).map(([k, t]) => [k, Float64Array.from(t.data)]));
  const twin = twinStep(net, [1, 12, 12], x, labels, rows, 10, twinTensors, { training: true, seed, step: { epoch: 0, index: 0 } });
  return { grads, lossSum, tensors, twin, twinTensors, trainables: trainables.map((t) => t.name), shaders, convActs, normActs, subgroups: subgroupSize(gpu) !== null };
}

// Tolerance: f32 sums in another order than the f64 twin, through up to 8 layers and BatchNorm's 1/std: gradients
// to 1e-5 absolute + 2e-3 relative, the loss to 1e-5 relative.
describe('nn networks: one GPU training step equals the CPU twin', () => {
  for (const [name, make] of NETS) {
    // A full step, and a partial one (the last step of an epoch) on the first network.
    for (const [rows, maxRows] of name === NETS[0][0] ? [[8, 8], [5, 9]] : [[5, 9]]) {
      it(`${name}, ${rows} rows of ${maxRows}`, async () => {
        const net = make();
        const gemm = name.startsWith('implicit GEMM');
        // The workgroup-memory shape (GPUs'), dense layers' and convolutions' both, here by a tuning that says so.
        const tiled = name.endsWith('workgroup-memory shape');
        const tuning = tiled ? { ...TAKE_EVERY_CONV, dense: { ...mlpTilesFor((await testGpu()).adapterInfo), workgroupMemory: true } } : gemm ? TAKE_EVERY_CONV : {};
        const r = await gpuStep(net, rows, maxRows, 3, tuning);
        // Convolutions run as implicit GEMM (no conv2d_general) where the tuning says so and the adapter has a shape for it.
        if (gemm) expect(r.shaders.has('conv2d_general')).toBe(!tiled && !r.subgroups);
        if (tiled) expect(r.shaders.has('linear_subgroup')).toBe(false);
        // The ReLU right after a convolution runs in its epilogue: the strided one's, and the residual 1x1's where no
        // LeNet block takes that one (blocks need subgroups); the other products (the first convolution, before
        // BatchNorm; the last; the input gradients) have none.
        if (gemm && (tiled || r.subgroups)) expect(r.convActs.filter((a) => a === ACTIVATION_CODES.relu).length).toBe(r.subgroups ? 1 : 2);
        // Every BatchNorm followed by a ReLU or Sigmoid runs it in its forward (and its slope in its backward).
        expect(r.normActs.filter((a) => a !== ACTIVATION_CODES.none).length).toBe(normsWithActivation(net));
        if (name.includes('pools')) expect(r.shaders.has('conv2d_general')).toBe(true);
        // The LeNet-shaped convolutions run the subgroup kernels where the adapter has them, conv2d_general elsewhere.
        if (name.includes('blocks')) expect(r.shaders.has('conv2d_forward_subgroup')).toBe(r.subgroups);
        if (name.includes('blocks')) expect(r.shaders.has('conv2d_general')).toBe(!r.subgroups);
        if (name.includes('20 channels')) expect(r.shaders.has('conv2d_forward_subgroup')).toBe(r.subgroups);
        expectClose([r.lossSum / rows], [r.twin.loss], { abs: 0, rel: 1e-5 }, 'mean loss');
        expect(Object.keys(r.grads).sort()).toEqual(Object.keys(r.twin.grads).sort());
        for (const [param, g] of Object.entries(r.grads)) {
          expect(g.some((v) => v !== 0), `${param} has a gradient`).toBe(true);
          expectClose(g, r.twin.grads[param], { abs: 1e-5, rel: 2e-3 }, `∂loss/∂${param}`);
        }
        for (const stat of Object.keys(r.tensors).filter((k) => k.endsWith('running_mean') || k.endsWith('running_var'))) {
          expectClose(r.tensors[stat], r.twinTensors[stat], { abs: 1e-6, rel: 1e-4 }, stat);
        }
      });
    }
  }
});

/** The twin's mean loss in evaluation-free training mode, for finite differences (dropout's mask is fixed by the step). */
function twinLoss(net: LayerDecl, tensors: TwinTensors, x: Float64Array, labels: Uint32Array, rows: number): number {
  const copy: TwinTensors = Object.fromEntries(Object.entries(tensors).map(([k, v]) => [k, v.slice()]));
  return twinStep(net, [1, 12, 12], x, labels, rows, 10, copy, { training: true, seed: 1, step: { epoch: 0, index: 0 } }).loss;
}

// Tolerance: central differences with h = 1e-5 in f64: ~1e-10 truncation and rounding, far below 1e-7 + 1e-5 rel.
describe('nn twin gradients = finite differences (f64)', () => {
  for (const [name, make] of NETS) {
    it(name, () => {
      const net = make();
      const spec = sequentialNetworkModel.spec(IMAGE, 10, { net });
      const params = sequentialNetworkModel.init(spec, 2);
      const tensors: TwinTensors = Object.fromEntries(Object.entries(params).map(([k, t]) => [k, Float64Array.from(t.data)]));
      const rng = new Rng(5);
      const rows = 4;
      const x = Float64Array.from({ length: rows * 144 }, () => rng.uniform());
      const labels = Uint32Array.of(1, 4, 9, 0);
      const { grads } = twinStep(net, [1, 12, 12], x, labels, rows, 10, Object.fromEntries(Object.entries(tensors).map(([k, v]) => [k, v.slice()])), { training: true, seed: 1, step: { epoch: 0, index: 0 } });
      const h = 1e-5;
      for (const [param, g] of Object.entries(grads)) {
        const data = tensors[param];
        const indices = data.length <= 12 ? Array.from(data.keys()) : Array.from({ length: 8 }, () => rng.int(data.length));
        const f0 = twinLoss(net, tensors, x, labels, rows);
        const numeric: number[] = [];
        const analytic: number[] = [];
        for (const i of indices) {
          const v = data[i];
          data[i] = v + h;
          const up = twinLoss(net, tensors, x, labels, rows);
          data[i] = v - h;
          const down = twinLoss(net, tensors, x, labels, rows);
          data[i] = v;
          // A ReLU or max kink within ±h: no derivative to compare.
          const right = (up - f0) / h;
          const left = (f0 - down) / h;
          if (Math.abs(right - left) > 1e-3 * Math.max(Math.abs(right), Math.abs(left), 1e-6)) continue;
          numeric.push((up - down) / (2 * h));
          analytic.push(g[i]);
        }
        expect(numeric.length, `${param}: points away from kinks`).toBeGreaterThanOrEqual(indices.length - 2);
        expectClose(analytic, numeric, { abs: 1e-7, rel: 1e-5 }, `∂loss/∂${param}`);
      }
    });
  }
});
