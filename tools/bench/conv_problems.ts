/**
 * The convolutions of the dense tile sweep (dense_sweep.ts, step 3): every Conv2d that chapter 7's networks run as
 * implicit GEMM through the contraction template (kernels/conv2d_implicit_gemm.ts), at each model's default
 * options (the book's image size and batch), set up to be timed alone as dense_kernels.ts sets up a dense kernel.
 *
 * Which convolutions (modelConvProblems): those nn/network.ts gives the template. It walks the declaration as the
 * network builds it; a convolution that opens a subgroup block in a Sequential (nn/conv_block.ts convBlockDims:
 * LeNet's, on an adapter with one subgroup size) stays out, and the rest are the template's where
 * implicitGemmParts takes them at the model's batch and CONV_IMPLICIT_GEMM_MIN_FLOP, with a tuning that takes the
 * workgroup-memory shape (the shape this step sweeps; with the adapter's own table a CPU driver takes the
 * subgroup shape, for the same convolutions). Each gives its forward, its weight gradient, and its input gradient
 * where something below it is trained and its input channels are a multiple of 4 (else conv2d_general's runs).
 *
 * The rows timed: a product of chapter 7's convolutions at the real batch takes seconds on lavapipe (AlexNet's
 * first, 224 px at batch 128, is 28 GFLOP), and each candidate is timed over several dispatches after lavapipe's
 * compile at the first, so on a CPU driver a problem is timed on CONV_TIMED_ROWS samples of the real image size:
 * the same kernel (its shape overrides are the image's; only the step's rows change). A candidate of ResNet-18's
 * convolutions then takes 0.7-2 s on lavapipe, its compile included (the workgroup-memory shape, 2-4 s where that
 * shape runs at 1-3 GFLOP/s; measured 2026-12-06, 2 cores shared). A GPU times the model's batch. GFLOP/s
 * (convFlop) are of the rows timed.
 *
 * The check (ConvBench.check): the output against conv2d_general's CPU twin (src/reference/conv2d_general.ts) in
 * the first and the last CHECK_CHANNELS of the product's output channels (all of them up to 8), of the first and
 * the last sample (the weight gradient: the step's sum), the worst error relative to the sum of |terms|
 * (dense_kernels.ts compareWithProduct, CHECK_TOLERANCE): the twin runs in those channels only, so that checking
 * every convolution of chapter 7 (5.8 GMAC a sample in all) stays a few seconds of the CPU.
 */
import type { Gpu } from '../../src/gpu/device.js';
import { COPY_DST, createBuffer, createBufferWith, MAP_READ } from '../../src/gpu/buffers.js';
import { isCpuAdapter, type MlpTiles, tuningFor } from '../../src/gpu/tuning.js';
import { convGeneralOutput } from '../../src/kernels/conv2d_general.js';
import { type ConvDims, convFlop, createConvGemm, implicitGemmParts } from '../../src/kernels/conv2d_implicit_gemm.js';
import type { BoundKernel } from '../../src/kernels/kernel.js';
import { fashionMnistSpec, modelDefaults, modelDefinition } from '../../src/model/registry.js';
import { convBlockDims } from '../../src/nn/conv_block.js';
import { type LayerDecl, outputShape, trainableCount } from '../../src/nn/declare.js';
import { isNetworkDefinition } from '../../src/nn/model.js';
import { type ConvGeneralDims, conv2dGeneralForward, conv2dGeneralInputGrad, conv2dGeneralWeightGrad } from '../../src/reference/conv2d_general.js';
import { Rng } from '../../src/random.js';
import { StepSlots } from '../../src/train/steps.js';
import { type CheckResult, type Computation, compareWithProduct, type Timing, type TimingOptions, timeDispatches } from './dense_kernels.js';

/** A layer the network contracts (a Linear or a Conv2d), with its input's shape and whether its input gradient is made. */
export interface ContractionLayer {
  layer: Extract<LayerDecl, { type: 'Linear' | 'Conv2d' }>;
  /** The input's shape without the batch ([C, H, W] for a convolution). */
  input: readonly number[];
  /** Something below it has trainables, so the network makes ∂l/∂input (nn/network.ts NodeInput.needsGrad). */
  needsGrad: boolean;
  /** A convolution that opens a subgroup block (nn/conv_block.ts convBlockDims: the first of a block in a Sequential). */
  block: boolean;
}

/**
 * Every Linear and Conv2d of `layer` on `input`, in the network's order, as nn/network.ts builds them (see
 * ContractionLayer); returns whether the layers after it need their input gradient.
 */
export function contractionLayers(gpu: Gpu, layer: LayerDecl, input: readonly number[], needsGrad: boolean, out: ContractionLayer[], inSequential = false): boolean {
  switch (layer.type) {
    case 'Linear':
    case 'Conv2d':
      out.push({ layer, input, needsGrad, block: inSequential && convBlockDims(gpu, layer, input) !== null });
      return true;
    case 'Sequential': {
      let shape = [...input];
      let grad = needsGrad;
      for (const l of layer.layers) {
        contractionLayers(gpu, l, shape, grad, out, true);
        grad = grad || trainableCount(l, shape) > 0;
        shape = outputShape(l, shape);
      }
      return grad;
    }
    case 'Residual':
      contractionLayers(gpu, layer.body, input, needsGrad, out);
      if (layer.shortcut) contractionLayers(gpu, layer.shortcut, input, needsGrad, out);
      return true;
    case 'Concat':
      for (const b of layer.branches) contractionLayers(gpu, b, input, needsGrad, out);
      return true;
    default:
      return needsGrad;
  }
}

/**
 * Samples of the real image size a convolution is timed on, on a CPU driver (see the file's comment): ResNet-18's
 * largest product is then 0.3 GFLOP. A GPU times the model's batch: a few samples would leave its larger tiles
 * idle (8 samples of ResNet-18's last convolutions are 72 rows of output) and pick the tile for the wrong size.
 */
export const CONV_TIMED_ROWS = 8;

/** The samples of a step of `batch` timed on this adapter (CONV_TIMED_ROWS on a CPU driver, else all). */
export const convTimedRows = (gpu: Gpu, batch: number): number => (isCpuAdapter(gpu.adapterInfo) ? Math.min(batch, CONV_TIMED_ROWS) : batch);

/** A convolution as implicit GEMM, one of its three products, and the models that run it. */
export interface ConvProblem {
  computation: Computation;
  dims: ConvDims;
  /** The models' batch (rows of a training step); the largest where models differ. */
  batch: number;
  /** Samples timed (convTimedRows). */
  rows: number;
  models: string[];
}

export const convProblemFlops = (p: ConvProblem): number => convFlop(p.dims, p.rows);
/** e.g. `conv forward 64->64 24x24 k3 s1 p1`. */
export const convProblemName = (p: ConvProblem): string => {
  const d = p.dims;
  return `conv ${p.computation} ${d.C_IN}->${d.C_OUT} ${d.H}x${d.W} k${d.KS} s${d.STRIDE} p${d.PAD}`;
};

/** The tuning whose template shape is the workgroup-memory tiles (the shape step 3 sweeps), for implicitGemmParts. */
const tiledTuning = (gpu: Gpu): MlpTiles => ({ ...tuningFor(gpu.adapterInfo).dense, workgroupMemory: true });

/** Every convolution product of the models `kinds` (registry kinds, default options) the template runs, deduplicated; see the file's comment. */
export function modelConvProblems(gpu: Gpu, kinds: readonly string[]): ConvProblem[] {
  const found = new Map<string, ConvProblem>();
  const { convGemmMinFlop } = tuningFor(gpu.adapterInfo);
  const tiles = tiledTuning(gpu);
  for (const kind of kinds) {
    const definition = modelDefinition(kind);
    if (!isNetworkDefinition(definition)) continue; // softmax regression and the MLPs have no convolution
    const spec = fashionMnistSpec(kind);
    const batch = modelDefaults(spec).batchSize;
    const { net, input } = definition.network(spec);
    const layers: ContractionLayer[] = [];
    contractionLayers(gpu, net, input, false, layers);
    for (const { layer, input: shape, needsGrad, block } of layers) {
      if (layer.type !== 'Conv2d' || block) continue;
      const dims: ConvDims = { C_IN: layer.inChannels, C_OUT: layer.outChannels, H: shape[1], W: shape[2], KS: layer.kernelSize, STRIDE: layer.stride, PAD: layer.padding };
      const parts = implicitGemmParts(gpu, dims, batch, convGemmMinFlop, tiles);
      if (!parts) continue;
      const computations: Computation[] = ['forward', ...(needsGrad && parts.inputGrad ? (['input_grad'] as const) : []), 'weight_grad'];
      for (const computation of computations) {
        const p: ConvProblem = { computation, dims, batch, rows: convTimedRows(gpu, batch), models: [kind] };
        const known = found.get(convProblemName(p));
        if (!known) found.set(convProblemName(p), p);
        else {
          if (!known.models.includes(kind)) known.models.push(kind);
          known.batch = Math.max(known.batch, batch);
          known.rows = convTimedRows(gpu, known.batch);
        }
      }
    }
  }
  const order: Computation[] = ['forward', 'input_grad', 'weight_grad'];
  return [...found.values()].sort((a, b) => order.indexOf(a.computation) - order.indexOf(b.computation) || convProblemFlops(b) - convProblemFlops(a));
}

/** Channels at each end of a product's output channels, and samples, compared with the CPU twin (see the file's comment). */
export const CHECK_CHANNELS = 4;
export const CHECK_SAMPLES = 2;

/** `p` in `shape` with the tiles `t` (a whole MlpTiles, of which the shape reads its part), as createConvGemm makes it for training. */
export async function createConvWithTiles(gpu: Gpu, p: ConvProblem, shape: 'tiled' | 'subgroup', t: MlpTiles): Promise<BoundKernel<string>> {
  const k = await createConvGemm(gpu, p.dims, p.rows, { training: p.computation !== 'forward', inputGrad: p.computation === 'input_grad', tiles: t, shape });
  const kernel = p.computation === 'forward' ? k.forward : p.computation === 'input_grad' ? k.inputGrad : k.weightGrad;
  return kernel as BoundKernel<string>;
}

const generalDims = (d: ConvDims): ConvGeneralDims => ({ cIn: d.C_IN, cOut: d.C_OUT, h: d.H, w: d.W, ks: d.KS, stride: d.STRIDE, pad: d.PAD });

/**
 * A convolution product's buffers, filled once (seeded) and shared by every kernel timed on it (both of the
 * template's shapes bind the same names): x (or dy for the input gradient, which the template reads as its x), the
 * weights packed as the product reads them, and the output. `check` compares a kernel's output with the CPU twin
 * in the check planes, computed once.
 */
export class ConvBench {
  private expected?: { value: Float64Array; scale: Float64Array };

  private constructor(
    private readonly gpu: Gpu,
    readonly problem: ConvProblem,
    private readonly buffers: Record<string, GPUBuffer>,
    private readonly host: { x: Float32Array; w: Float32Array; b: Float32Array; dy: Float32Array },
    private readonly step: StepSlots,
  ) {}

  static async create(gpu: Gpu, problem: ConvProblem, seed = 1): Promise<ConvBench> {
    const { device } = gpu;
    const d = problem.dims;
    const rows = problem.rows;
    const { ho, wo } = convGeneralOutput(d);
    const rng = new Rng(seed);
    const floats = (n: number) => Float32Array.from({ length: n }, () => rng.uniform() - 0.5);
    const host = { x: floats(rows * d.C_IN * d.H * d.W), w: floats(d.C_OUT * d.C_IN * d.KS * d.KS), b: floats(d.C_OUT), dy: floats(rows * d.C_OUT * ho * wo) };
    const up = (label: string, data: Float32Array) => createBufferWith(device, `conv bench ${label}`, data);
    const b: Record<string, GPUBuffer> = {};
    const { computation } = problem;
    if (computation === 'weight_grad') {
      Object.assign(b, { x: up('x', host.x), dy: up('dy', host.dy), dw: createBuffer(device, 'conv bench dw', host.w.byteLength) });
    } else {
      // The weights packed as the product reads them, by the pack kernel training runs (any tiles: the pack is the same).
      const k = await createConvGemm(gpu, d, rows, { training: computation === 'input_grad', inputGrad: computation === 'input_grad', shape: 'tiled' });
      const [pack, bytes] = computation === 'forward' ? [k.forwardPack, k.packBytes.forward] : [k.inputGradPack!, k.packBytes.inputGrad];
      const w = up('w', host.w);
      b.w = createBuffer(device, 'conv bench packed w', bytes);
      const encoder = device.createCommandEncoder({ label: 'conv bench pack' });
      const pass = encoder.beginComputePass();
      pack.encode(pass, pack.bind({ w, packed: b.w }));
      pass.end();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
      w.destroy();
      if (computation === 'forward') Object.assign(b, { x: up('x', host.x), b: up('b', host.b), out: createBuffer(device, 'conv bench y', rows * d.C_OUT * ho * wo * 4) });
      else Object.assign(b, { x: up('dy', host.dy), b: createBuffer(device, 'conv bench zero bias', d.C_IN * 4), out: createBuffer(device, 'conv bench dx', host.x.byteLength) });
    }
    // Slot 0: the timed step; slot 1: the weight gradient's check, over CHECK_SAMPLES samples.
    const step = StepSlots.create(device, [{ row0: 0, rows }, { row0: 0, rows: Math.min(rows, CHECK_SAMPLES) }], 'conv bench step');
    return new ConvBench(gpu, problem, b, host, step);
  }

  bind(kernel: BoundKernel<string>): GPUBindGroup {
    return kernel.bind(this.buffers, convProblemName(this.problem));
  }

  async time(kernel: BoundKernel<string>, o: TimingOptions): Promise<Timing> {
    return timeDispatches(this.gpu, kernel, this.bind(kernel), this.step.groups[0], o);
  }

  /**
   * What is compared: the first and the last CHECK_CHANNELS of the product's output channels (the forward's output
   * channels, the input gradient's input channels, the weight gradient's output channels), of the first and the
   * last sample (the weight gradient: its sum over a check step of CHECK_SAMPLES samples); `planes`: each sample
   * and channel's offset in the kernel's output and in the twin's (over `samples` alone), `length` entries each.
   */
  private compared(): { samples: number[]; channels: number[]; planes: Array<{ gpu: number; twin: number }>; length: number } {
    const { dims: d, rows, computation } = this.problem;
    const { ho, wo } = convGeneralOutput(d);
    const [count, length] = computation === 'forward' ? [d.C_OUT, ho * wo] : computation === 'input_grad' ? [d.C_IN, d.H * d.W] : [d.C_OUT, d.C_IN * d.KS * d.KS];
    const ends = Math.min(CHECK_CHANNELS, count);
    const channels = [...new Set([...Array.from({ length: ends }, (_, i) => i), ...Array.from({ length: ends }, (_, i) => count - ends + i)])];
    const samples = computation === 'weight_grad' ? Array.from({ length: Math.min(rows, CHECK_SAMPLES) }, (_, i) => i) : [...new Set([0, rows - 1])];
    const planes = (computation === 'weight_grad' ? [0] : samples).flatMap((s, i) => channels.map((c) => ({ gpu: (s * count + c) * length, twin: (i * count + c) * length })));
    return { samples, channels, planes, length };
  }

  /** Clears the output, runs `kernel` once and compares the check planes with the CPU twin. */
  async check(kernel: BoundKernel<string>): Promise<CheckResult> {
    const { device } = this.gpu;
    const weightGrad = this.problem.computation === 'weight_grad';
    const out = weightGrad ? this.buffers.dw : this.buffers.out;
    const { planes, length } = this.compared();
    const bytes = length * 4;
    const staging = device.createBuffer({ label: 'conv bench check', size: planes.length * bytes, usage: MAP_READ | COPY_DST });
    const encoder = device.createCommandEncoder({ label: 'conv bench check' });
    // A kernel that wrote nothing must not pass on what the last one left.
    encoder.clearBuffer(out);
    const pass = encoder.beginComputePass();
    kernel.encode(pass, this.bind(kernel), this.step.groups[weightGrad ? 1 : 0]);
    pass.end();
    planes.forEach((o, i) => encoder.copyBufferToBuffer(out, o.gpu * 4, staging, i * bytes, bytes));
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(0x0001 /* GPUMapMode.READ */);
    const got = new Float32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    return { rows: planes.length, ...compareWithProduct(got, this.cpuTwin()) };
  }

  /**
   * conv2d_general's twin (f64) at the check planes, with each entry's sum of |terms| (the error's scale: the
   * twin again on |x| and |w| or |dy|, which sums exactly those magnitudes), computed once: over the checked
   * samples, in the checked channels only (ConvChannels).
   */
  cpuTwin(): { value: Float64Array; scale: Float64Array } {
    if (this.expected) return this.expected;
    const { dims: d, computation } = this.problem;
    const g = generalDims(d);
    const { ho, wo } = convGeneralOutput(d);
    const { samples, channels, planes, length } = this.compared();
    const pick = (a: Float32Array, size: number) => {
      const out = new Float32Array(samples.length * size);
      samples.forEach((s, i) => out.set(a.subarray(s * size, (s + 1) * size), i * size));
      return out;
    };
    const x = pick(this.host.x, d.C_IN * d.H * d.W);
    const dy = pick(this.host.dy, d.C_OUT * ho * wo);
    const { w, b } = this.host;
    const n = samples.length;
    const f64 = (size: number) => new Float64Array(size);
    const twin = (positive: boolean) => {
      const v = (a: Float32Array) => (positive ? a.map(Math.abs) : a);
      if (computation === 'forward') return conv2dGeneralForward(v(x), v(w), v(b), n, g, 0, f64, { out: channels });
      if (computation === 'input_grad') return conv2dGeneralInputGrad(v(dy), v(w), n, g, f64, { in: channels });
      return conv2dGeneralWeightGrad(v(x), v(dy), n, g, f64, { out: channels }).dw;
    };
    const at = (all: ArrayLike<number>) => {
      const out = new Float64Array(planes.length * length);
      planes.forEach((o, i) => {
        for (let j = 0; j < length; j++) out[i * length + j] = all[o.twin + j];
      });
      return out;
    };
    this.expected = { value: at(twin(false)), scale: at(twin(true)) };
    return this.expected;
  }

  destroy(): void {
    for (const b of Object.values(this.buffers)) b.destroy();
    this.step.destroy();
  }
}
