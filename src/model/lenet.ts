/**
 * LeNet (d2l 6.6), trained with hand-written convolution and pooling kernels:
 *   net = Conv2d(1, 6, 5, padding=2) → Sigmoid → AvgPool2d(2, 2) → Conv2d(6, 16, 5) → Sigmoid → AvgPool2d(2, 2)
 *         → Flatten → Linear(400, 120) → Sigmoid → Linear(120, 84) → Sigmoid → Linear(84, 10)
 * with CrossEntropyLoss and SGD; `activation: relu` and `pool: max` give the modern variant. One step:
 *   conv2d_weight_pack (x3)                           conv weights, 4 channels per vec4 (forward x2, conv2's dx)
 * (each convolution runs conv2d_forward_subgroup where the adapter has one subgroup size, for its forward and,
 * with the flipped weights, conv2's input gradient; conv2d_forward / conv2d_input_grad elsewhere)
 *   gather_minibatch                                  x0 [B, 784], y   (not where conv1 reads the u8 images itself)
 *   conv2d_forward (act fused) → pool_forward         a1 [B, 6, 28, 28] → p1 [B, 6, 14, 14]
 *   conv2d_forward (act fused) → pool_forward         a2 [B, 16, 10, 10] → p2 [B, 400]
 *   (conv2d_forward_subgroup pools from its registers: one dispatch for each of those two lines)
 *   linear_forward (act fused) (x2), linear_forward   a3 [B, 120], a4 [B, 84], logits [B, 10]
 *   log_softmax_cross_entropy, argmax_accuracy        loss sum, hits, dlogits
 *   per dense layer: linear_weight_grad, bias_grad, linear_input_grad (act' fused: ReLU mask or sigmoid slope)
 *   pool_backward (act' fused; _vec2 for even sizes) → conv2d_weight_grad → conv2d_input_grad   (conv2)
 *   pool_backward (act' fused) → conv2d_weight_grad                        (conv1: no input gradient; on the
 *     subgroup path its weight gradient makes dz1 from dp1 and a1 itself: one dispatch, dz1 never written)
 * then the trainer's optimizer updates the 10 parameters from their gradients (src/optim; plain SGD: sgd_update each)
 * Parameters: conv weights in PyTorch's layout [C_out, C_in, 5, 5]; dense weights [in, out] (x·W + b, the
 * transpose of PyTorch's Linear.weight).
 */
import type { ImageShape } from '../data/dataset.js';
import { UsageError } from '../errors.js';
import { createBuffer, createBufferWith } from '../gpu/buffers.js';
import type { Gpu } from '../gpu/device.js';
import type { ComputePass } from '../gpu/kernel.js';
import { convTile, weightGradTile } from '../gpu/tuning.js';
import { argmaxAccuracy } from '../kernels/argmax_accuracy.js';
import { biasGrad } from '../kernels/bias_grad.js';
import { ACTIVATION_CODES, conv2dForward } from '../kernels/conv2d_forward.js';
import { conv2dInputGrad } from '../kernels/conv2d_input_grad.js';
import {
  conv2dForwardSubgroup,
  conv2dForwardU8Subgroup,
  conv2dWeightGradReduce,
  conv2dWeightGradSubgroup,
  conv2dWeightGradU8Subgroup,
  conv2dWeightGradU8UnpoolSubgroup,
  convSubgroupFor,
  inputGradAsForward,
  weightGradSubgroupFor,
} from '../kernels/conv2d_subgroup.js';
import { conv2dWeightGrad } from '../kernels/conv2d_weight_grad.js';
import { conv2dWeightPack, forwardPack, inputGradPack, packedBytes } from '../kernels/conv2d_weight_pack.js';
import { gatherMinibatch } from '../kernels/gather_minibatch.js';
import type { BoundKernel } from '../kernels/kernel.js';
import { logSoftmaxCrossEntropy } from '../kernels/log_softmax_cross_entropy.js';
import { createLinearForward, createLinearInputGrad, createLinearWeightGrad } from '../kernels/linear.js';
import { poolBackwardFor } from '../kernels/pool_backward.js';
import { poolForward } from '../kernels/pool_forward.js';
import { type ConvDims, convOut } from '../kernels/conv2d_forward.js';
import { Rng } from '../random.js';
import { lenetCodes, lenetDims } from './lenet_shape.js';
import { type Forward, type GpuModel, type GpuParameter, type ModelDefinition, type ModelOptions, type ModelSpec, pixelsOf, type StepContext, type StepRecorder } from './model.js';
import { sizeOf } from './softmax_regression.js';
import { elementsOf, type Parameters } from './tensors.js';
import { accumulatingRecorder, createEpochTotals } from './recorder.js';
import { ACTIVATION, parseOptions, POOL } from './options.js';
import { lenetForward, lenetStep } from '../reference/lenet.js';

/** LeNet's options: the book's sigmoid and average pooling, or ReLU and max pooling. */
export const LENET_OPTIONS = { activation: ACTIVATION, pool: POOL };

/** The largest minibatch: a1 [B, 6, 28, 28] f32 must fit a 128 MiB binding, and every grid 65,535 workgroups. */
export const LENET_MAX_ROWS = 4096;

/** Parameter names and shapes, in checkpoint order. */
export function lenetShapes(spec: ModelSpec): Record<string, readonly number[]> {
  const d = lenetDims(spec);
  const c1 = d.conv1;
  const c2 = d.conv2;
  return {
    'conv1.weight': [c1.cOut, c1.cIn, c1.ks, c1.ks],
    'conv1.bias': [c1.cOut],
    'conv2.weight': [c2.cOut, c2.cIn, c2.ks, c2.ks],
    'conv2.bias': [c2.cOut],
    'fc1.weight': [d.flat, d.f1],
    'fc1.bias': [d.f1],
    'fc2.weight': [d.f1, d.f2],
    'fc2.bias': [d.f2],
    'fc3.weight': [d.f2, spec.classes],
    'fc3.bias': [spec.classes],
  };
}

/**
 * d2l's train_ch6 initialisation: Xavier-uniform weights, U(±sqrt(6 / (fan_in + fan_out))), with a conv's fans
 * C_in·k² and C_out·k²; biases at PyTorch's default, U(±1/sqrt(fan_in)). Drawn layer by layer, weight then bias.
 */
export function lenetInit(spec: ModelSpec, seed: number): Parameters {
  const rng = new Rng(seed);
  const params: Parameters = {};
  const shapes = Object.entries(lenetShapes(spec));
  for (let i = 0; i < shapes.length; i += 2) {
    const [wName, wShape] = shapes[i];
    const [bName, bShape] = shapes[i + 1];
    const conv = wShape.length === 4;
    const receptive = conv ? wShape[2] * wShape[3] : 1;
    const fanIn = conv ? wShape[1] * receptive : wShape[0];
    const fanOut = conv ? wShape[0] * receptive : wShape[1];
    const wBound = Math.sqrt(6 / (fanIn + fanOut));
    const bBound = 1 / Math.sqrt(fanIn);
    params[wName] = { shape: wShape, data: Float32Array.from({ length: elementsOf(wShape) }, () => (2 * rng.uniform() - 1) * wBound) };
    params[bName] = { shape: bShape, data: Float32Array.from({ length: elementsOf(bShape) }, () => (2 * rng.uniform() - 1) * bBound) };
  }
  return params;
}

export function lenetSpec(input: ImageShape, classes: number, options: ModelOptions): ModelSpec {
  const spec: ModelSpec = { kind: 'lenet', input, classes, options: parseOptions('lenet', LENET_OPTIONS, options) };
  const d = lenetDims(spec);
  if (d.h2 < 2 || d.w2 < 2) throw new UsageError(`lenet needs images of at least 12x12, not ${input.height}x${input.width}`);
  return spec;
}

const convShape = (c: ConvDims) => ({ C_IN: c.cIn, C_OUT: c.cOut, H: c.h, W: c.w, KS: c.ks });

/**
 * A convolution's input: f32 activations x [rows, C, H, W], or, for the first layer where the subgroup kernels
 * run, the resident u8 dataset read in the step's order (images, order, labels; the forward also writes the
 * step's labels into `targets`): then no gather_minibatch runs.
 */
type ConvInput = { x: GPUBuffer } | { images: GPUBuffer; order: GPUBuffer; labels: GPUBuffer; targets: GPUBuffer };
type Dispatch = [BoundKernel<never>, GPUBindGroup];

/** Whether conv1 reads the u8 images itself: both of its subgroup kernels run and each image is whole words. */
function conv1ReadsImages(gpu: Gpu, spec: ModelSpec): boolean {
  const c = lenetDims(spec).conv1;
  const shape = { ...convShape(c), PAD: c.pad };
  return convSubgroupFor(gpu, shape) !== null && weightGradSubgroupFor(gpu, shape) !== null && pixelsOf(spec.input) % 4 === 0;
}

/** The start line's words for the convolution kernels this adapter runs: createConvForward's choice for each layer. */
function convKernelsSummary(gpu: Gpu, spec: ModelSpec): string {
  const d = lenetDims(spec);
  const subgroup = [d.conv1, d.conv2].map((c) => convSubgroupFor(gpu, { W: c.w, KS: c.ks, PAD: c.pad }) !== null);
  const kind = subgroup.every(Boolean) ? 'subgroup' : subgroup.some(Boolean) ? 'subgroup (one layer) and generic' : 'generic';
  return `${kind} convolution kernels`;
}

/**
 * A convolution's forward with its 2x2 pooling: conv2d_forward_subgroup pooling from its registers where the
 * adapter has one subgroup size and the shape allows it (kernels/conv2d_subgroup.ts; its u8 twin for `images`),
 * else conv2d_forward then pool_forward. Returns the dispatches, in order, for one binding of the input, the packed
 * weights (forwardPack), bias, y (after the activation) and the pooled output.
 */
async function createConvForward(gpu: Gpu, c: ConvDims, rows: number, act: number, pool: number, images: boolean) {
  type Dispatches = (input: ConvInput, w: GPUBuffer, bias: GPUBuffer, y: GPUBuffer, pooled: GPUBuffer) => Dispatch[];
  const sg = convSubgroupFor(gpu, { W: c.w, KS: c.ks, PAD: c.pad });
  if (sg) {
    const options = { rows, workgroup: sg, constants: { PAD: c.pad, ACT: act, SG: sg, POOLED: 1, POOL: pool, ...convTile(c.cOut, c.pad, true) } };
    const k = await (images ? conv2dForwardU8Subgroup : conv2dForwardSubgroup).create(gpu, convShape(c), options);
    const bind: Dispatches = (input, w, bias, y, pooled) => [[k as BoundKernel<never>, (k as BoundKernel<string>).bind({ ...input, w, bias, y, pooled })]];
    return bind;
  }
  if (images) throw new Error('lenet: conv1 reads the images only on the subgroup path'); // conv1ReadsImages said so
  const { ho, wo } = convOut(c);
  const [k, p] = await Promise.all([
    conv2dForward.create(gpu, convShape(c), { rows, constants: { PAD: c.pad, ACT: act } }),
    poolForward.create(gpu, { C: c.cOut, H: ho, W: wo }, { rows, constants: { POOL: pool } }),
  ]);
  const bind: Dispatches = (input, w, bias, y, pooled) => [
    [k as BoundKernel<never>, k.bind({ x: (input as { x: GPUBuffer }).x, w, bias, y })],
    [p as BoundKernel<never>, p.bind({ x: y, y: pooled })],
  ];
  return bind;
}

/** Where conv1's dy comes from: as it is, or made from the gradient of its pooled activation (conv1Unpools). */
type DySource = { dy: GPUBuffer } | { a: GPUBuffer; dpooled: GPUBuffer };

/**
 * Whether conv1's weight gradient makes its dy from the pooled gradient itself (conv2d_weight_grad_subgroup with
 * conv2d_dy_unpool, reading the u8 images): then pool_backward does not run for conv1 and dz1 is never written.
 */
function conv1Unpools(gpu: Gpu, spec: ModelSpec): boolean {
  const d = lenetDims(spec);
  return conv1ReadsImages(gpu, spec) && d.h1 % 2 === 0 && d.w1 % 2 === 0;
}

/**
 * A convolution's dw, db: conv2d_weight_grad_subgroup's partial sums over S chunks of rows (its u8 twin for
 * `images`; with `unpool`, the u8 twin that makes dy from the pooled gradient: conv1Unpools) and
 * conv2d_weight_grad_reduce where it applies (the partials in `partial`, created here), else conv2d_weight_grad.
 * Returns the dispatches, in order, for one binding of the input (x, or images and order), dy (or a and dpooled),
 * dw and db.
 */
async function createConvWeightGrad(gpu: Gpu, c: ConvDims, rows: number, images: boolean, unpool?: { pool: number; act: number }) {
  type Dispatches = (input: { x: GPUBuffer } | { images: GPUBuffer; order: GPUBuffer }, dy: DySource, dw: GPUBuffer, db: GPUBuffer) => Dispatch[];
  const shape = convShape(c);
  const sg = weightGradSubgroupFor(gpu, { ...shape, PAD: c.pad });
  if (sg) {
    const { S, ...tile } = weightGradTile({ cOut: c.cOut, wo: convOut(c).wo, ks: c.ks });
    const sums = c.cOut * c.cIn * c.ks * c.ks + c.cOut;
    const options = { rows, workgroup: sg, constants: { PAD: c.pad, SG: sg, S, ...tile, ...(unpool ? { POOL: unpool.pool, ACT: unpool.act } : {}) } };
    const kernel = unpool ? conv2dWeightGradU8UnpoolSubgroup : images ? conv2dWeightGradU8Subgroup : conv2dWeightGradSubgroup;
    const [main, reduce] = await Promise.all([
      kernel.create(gpu, shape, options),
      conv2dWeightGradReduce.create(gpu, { DW: sums - c.cOut, C_OUT: c.cOut }, { constants: { S } }),
    ]);
    const partial = createBuffer(gpu.device, 'conv dw partials', S * sums * 4);
    const bind: Dispatches = (input, dy, dw, db) => [
      [main as BoundKernel<never>, (main as BoundKernel<string>).bind({ ...input, ...dy, partial })],
      [reduce as BoundKernel<never>, reduce.bind({ partial, dw, db })],
    ];
    return { buffers: [partial], bind };
  }
  if (images || unpool) throw new Error('lenet: conv1 reads the images only on the subgroup path'); // conv1ReadsImages said so
  const k = await conv2dWeightGrad.create(gpu, shape, { rows, constants: { PAD: c.pad } });
  const bind: Dispatches = (input, dy, dw, db) => [[k as BoundKernel<never>, k.bind({ x: (input as { x: GPUBuffer }).x, dy: (dy as { dy: GPUBuffer }).dy, dw, db })]];
  return { buffers: [] as GPUBuffer[], bind };
}

/**
 * A convolution's input gradient dx from dy: conv2d_forward_subgroup as the correlation of dy with the flipped
 * kernel where it applies, else conv2d_input_grad; with the weight pack each needs (inputGradPack, FLIP for the
 * first) and a bind that names the buffers.
 */
async function createConvInputGrad(gpu: Gpu, c: ConvDims, rows: number) {
  const shape = convShape(c);
  const asForward = inputGradAsForward({ ...shape, PAD: c.pad });
  const sg = asForward && convSubgroupFor(gpu, asForward);
  const pack = await conv2dWeightPack.create(gpu, inputGradPack(shape), { constants: { FLIP: sg ? 1 : 0 } });
  if (asForward && sg) {
    const { PAD, ...dims } = asForward;
    const k = await conv2dForwardSubgroup.create(gpu, dims, { rows, workgroup: sg, constants: { PAD, BIAS: 0, SG: sg, ...convTile(dims.C_OUT, PAD) } });
    // BIAS 0 and POOLED 0: the bias and pooled bindings are not used (bias: any buffer; pooled: its own, since two
    // writable bindings of one buffer are refused).
    const unused = createBuffer(gpu.device, 'conv dx: pooled (unused)', 16);
    return { pack, kernel: k, buffers: [unused], bind: (dy: GPUBuffer, w: GPUBuffer, dx: GPUBuffer) => k.bind({ x: dy, w, bias: w, y: dx, pooled: unused }) };
  }
  const k = await conv2dInputGrad.create(gpu, shape, { rows, constants: { PAD: c.pad } });
  return { pack, kernel: k, buffers: [] as GPUBuffer[], bind: (dy: GPUBuffer, w: GPUBuffer, dx: GPUBuffer) => k.bind({ dy, w, dx }) };
}

/** The forward kernels, created for `rows` rows, and how to bind them to one set of activation buffers. */
async function createForwardKernels(gpu: Gpu, spec: ModelSpec, rows: number) {
  const d = lenetDims(spec);
  const { act, pool } = lenetCodes(spec);
  const o = { rows };
  const images = conv1ReadsImages(gpu, spec);
  // The dense layers' activation is fused into their forward kernels (SIGMOID or RELU).
  const fused: Record<string, number> = act === ACTIVATION_CODES.sigmoid ? { SIGMOID: 1 } : { RELU: 1 };
  const [pack1, pack2, gather, conv1, conv2, fc1, fc2, fc3] = await Promise.all([
    conv2dWeightPack.create(gpu, forwardPack(convShape(d.conv1))),
    conv2dWeightPack.create(gpu, forwardPack(convShape(d.conv2))),
    images ? null : gatherMinibatch.create(gpu, { K: pixelsOf(spec.input) }, o),
    createConvForward(gpu, d.conv1, rows, act, pool, images),
    createConvForward(gpu, d.conv2, rows, act, pool, false),
    // The dense layers: the MLP's kernels (register-tiled, or the subgroup path where it applies: kernels/linear.ts).
    createLinearForward(gpu, { K: d.flat, N: d.f1 }, rows, fused),
    createLinearForward(gpu, { K: d.f1, N: d.f2 }, rows, fused),
    createLinearForward(gpu, { K: d.f2, N: spec.classes }, rows),
  ]);
  return { pack1, pack2, gather, conv1, conv2, fc1, fc2, fc3 };
}

/** The activations of one forward pass over at most `rows` rows (x0 only where the minibatch is gathered). */
function createActivations(device: GPUDevice, spec: ModelSpec, rows: number, prefix: string, gathered: boolean) {
  const d = lenetDims(spec);
  return {
    w1: createBuffer(device, `${prefix} conv1 packed`, packedBytes(forwardPack(convShape(d.conv1)))), // conv1.weight, 4 output channels per vec4
    w2: createBuffer(device, `${prefix} conv2 packed`, packedBytes(forwardPack(convShape(d.conv2)))), // conv2.weight, 4 output channels per vec4
    ...(gathered ? { x0: createBuffer(device, `${prefix} x0`, rows * pixelsOf(spec.input) * 4) } : {}), // [B, C, 28, 28] f32, pixels / 255
    y: createBuffer(device, `${prefix} y`, rows * 4), // [B] u32 labels
    a1: createBuffer(device, `${prefix} a1`, rows * d.conv1.cOut * d.h1 * d.w1 * 4), // [B, 6, 28, 28] after act
    p1: createBuffer(device, `${prefix} p1`, rows * d.conv2.cIn * d.conv2.h * d.conv2.w * 4), // [B, 6, 14, 14]
    a2: createBuffer(device, `${prefix} a2`, rows * d.conv2.cOut * d.h2 * d.w2 * 4), // [B, 16, 10, 10] after act
    p2: createBuffer(device, `${prefix} p2`, rows * d.flat * 4), // [B, 16, 5, 5] = [B, 400]
    a3: createBuffer(device, `${prefix} a3`, rows * d.f1 * 4), // [B, 120] after the activation
    a4: createBuffer(device, `${prefix} a4`, rows * d.f2 * 4), // [B, 84] after the activation
    logits: createBuffer(device, `${prefix} logits`, rows * spec.classes * 4), // [B, 10]
  };
}
type Activations = ReturnType<typeof createActivations>;
type ForwardKernels = Awaited<ReturnType<typeof createForwardKernels>>;

/** Binds the forward kernels to `a`; returns the recorder of the forward pass. */
function bindForward(k: ForwardKernels, p: Record<string, GPUBuffer>, a: Activations, split: { images: GPUBuffer; labels: GPUBuffer }, order: GPUBuffer) {
  const dispatch = <B extends string>(kernel: BoundKernel<B>, buffers: Record<B, GPUBuffer>): [BoundKernel<never>, GPUBindGroup] => [kernel as BoundKernel<never>, kernel.bind(buffers)];
  // The conv weights repacked for the forward kernels first (they change every step); the pack kernels do not
  // read the Step uniform (no @group(1)).
  const packs = [dispatch(k.pack1, { w: p['conv1.weight'], packed: a.w1 }), dispatch(k.pack2, { w: p['conv2.weight'], packed: a.w2 })];
  const steps = [
    ...(k.gather && a.x0 ? [dispatch(k.gather, { images: split.images, labels: split.labels, order, x: a.x0, y: a.y })] : []),
    ...k.conv1(a.x0 ? { x: a.x0 } : { images: split.images, order, labels: split.labels, targets: a.y }, a.w1, p['conv1.bias'], a.a1, a.p1),
    ...k.conv2({ x: a.p1 }, a.w2, p['conv2.bias'], a.a2, a.p2),
    dispatch(k.fc1, { x: a.p2, w: p['fc1.weight'], b: p['fc1.bias'], out: a.a3 }),
    dispatch(k.fc2, { x: a.a3, w: p['fc2.weight'], b: p['fc2.bias'], out: a.a4 }),
    dispatch(k.fc3, { x: a.a4, w: p['fc3.weight'], b: p['fc3.bias'], out: a.logits }),
  ];
  return (pass: ComputePass, step: GPUBindGroup) => {
    for (const [kernel, group] of packs) kernel.encode(pass, group);
    for (const [kernel, group] of steps) kernel.encode(pass, group, step);
  };
}

async function lenetStepRecorder(gpu: Gpu, spec: ModelSpec, p: Record<string, GPUBuffer>, shapes: Record<string, readonly number[]>, ctx: StepContext): Promise<StepRecorder> {
  const { device } = gpu;
  const B = ctx.maxRows;
  const d = lenetDims(spec);
  const { act, pool } = lenetCodes(spec);
  const N = spec.classes;
  const images = conv1ReadsImages(gpu, spec);
  const unpools = conv1Unpools(gpu, spec);
  const a = createActivations(device, spec, B, 'train', !images);
  const totals = createEpochTotals(device);
  const b = {
    loss: createBuffer(device, 'loss', B * 4), // [B] per-sample loss
    ...totals, // lossSum [1] f32 and correct [1] u32, summed over the epoch
    predictions: createBuffer(device, 'predictions', B * 4), // [B] u32
    dlogits: createBuffer(device, 'dlogits', B * N * 4), // [B, 10]
    d4: createBuffer(device, 'dz4', B * d.f2 * 4), // [B, 84]: ∂l/∂ pre-activation of fc2
    d3: createBuffer(device, 'dz3', B * d.f1 * 4), // [B, 120]: ∂l/∂ pre-activation of fc1
    dp2: createBuffer(device, 'dp2', B * d.flat * 4), // [B, 400]: ∂l/∂p2
    d2: createBuffer(device, 'dz2', B * d.conv2.cOut * d.h2 * d.w2 * 4), // [B, 16, 10, 10]: ∂l/∂ pre-activation of conv2
    dp1: createBuffer(device, 'dp1', B * d.conv2.cIn * d.conv2.h * d.conv2.w * 4), // [B, 6, 14, 14]
    // [B, 6, 28, 28]: ∂l/∂ pre-activation of conv1, where pool_backward makes it (not conv1Unpools)
    ...(unpools ? {} : { d1: createBuffer(device, 'dz1', B * d.conv1.cOut * d.h1 * d.w1 * 4) }),
    w2t: createBuffer(device, 'conv2 packed for dx', packedBytes(inputGradPack(convShape(d.conv2)))), // conv2.weight, 4 input channels per vec4
  };
  const grads = Object.fromEntries(Object.entries(shapes).map(([name, shape]) => [name, createBuffer(device, `${name}.grad`, elementsOf(shape) * 4)]));
  const o = { rows: B };
  // The dense input gradients fuse the slope of the activation that produced their input (h = a3, a4).
  const slope: Record<string, number> = act === ACTIVATION_CODES.sigmoid ? { RELU_MASK: 0, SIGMOID_SLOPE: 1 } : { RELU_MASK: 1 };
  const [cig2, forward, ce, acc, wg3, bg3, lig3, wg2, bg2, lig2, wg1, bg1, lig1, pb2, cwg2, pb1, cwg1] = await Promise.all([
    createConvInputGrad(gpu, d.conv2, B),
    createForwardKernels(gpu, spec, B),
    logSoftmaxCrossEntropy.create(gpu, { N }, o),
    argmaxAccuracy.create(gpu, { N }, o),
    createLinearWeightGrad(gpu, { K: d.f2, N }, B),
    biasGrad.create(gpu, { N }, o),
    createLinearInputGrad(gpu, { K: d.f2, N }, B, slope),
    createLinearWeightGrad(gpu, { K: d.f1, N: d.f2 }, B),
    biasGrad.create(gpu, { N: d.f2 }, o),
    createLinearInputGrad(gpu, { K: d.f1, N: d.f2 }, B, slope),
    createLinearWeightGrad(gpu, { K: d.flat, N: d.f1 }, B),
    biasGrad.create(gpu, { N: d.f1 }, o),
    createLinearInputGrad(gpu, { K: d.flat, N: d.f1 }, B, { RELU_MASK: 0 }),
    poolBackwardFor({ H: d.h2, W: d.w2 }).create(gpu, { C: d.conv2.cOut, H: d.h2, W: d.w2 }, { rows: B, constants: { POOL: pool, ACT: act } }),
    createConvWeightGrad(gpu, d.conv2, B, false),
    unpools ? null : poolBackwardFor({ H: d.h1, W: d.w1 }).create(gpu, { C: d.conv1.cOut, H: d.h1, W: d.w1 }, { rows: B, constants: { POOL: pool, ACT: act } }),
    createConvWeightGrad(gpu, d.conv1, B, images, unpools ? { pool, act } : undefined),
  ]);
  const encodeForward = bindForward(forward, p, a, ctx.train, ctx.order);
  const backward: Array<[BoundKernel<never>, GPUBindGroup]> = [
    [ce, ce.bind({ logits: a.logits, y: a.y, loss: b.loss, loss_sum: b.lossSum, dlogits: b.dlogits })],
    [acc, acc.bind({ logits: a.logits, y: a.y, predictions: b.predictions, correct: b.correct })],
    [wg3, wg3.bind({ x: a.a4, dy: b.dlogits, dw: grads['fc3.weight'] })],
    [bg3, bg3.bind({ dlogits: b.dlogits, db: grads['fc3.bias'] })],
    [lig3, lig3.bind({ dy: b.dlogits, w: p['fc3.weight'], h: a.a4, dx: b.d4 })],
    [wg2, wg2.bind({ x: a.a3, dy: b.d4, dw: grads['fc2.weight'] })],
    [bg2, bg2.bind({ dlogits: b.d4, db: grads['fc2.bias'] })],
    [lig2, lig2.bind({ dy: b.d4, w: p['fc2.weight'], h: a.a3, dx: b.d3 })],
    [wg1, wg1.bind({ x: a.p2, dy: b.d3, dw: grads['fc1.weight'] })],
    [bg1, bg1.bind({ dlogits: b.d3, db: grads['fc1.bias'] })],
    // No mask: p2 is a pooling's output, not an activation's; h is bound but not read.
    [lig1, lig1.bind({ dy: b.d3, w: p['fc1.weight'], h: a.p2, dx: b.dp2 })],
    [pb2, pb2.bind({ a: a.a2, dy: b.dp2, dx: b.d2 })],
    ...cwg2.bind({ x: a.p1 }, { dy: b.d2 }, grads['conv2.weight'], grads['conv2.bias']),
    [cig2.kernel, cig2.bind(b.d2, b.w2t, b.dp1)],
    ...(pb1 && b.d1 ? [[pb1, pb1.bind({ a: a.a1, dy: b.dp1, dx: b.d1 })] as Dispatch] : []),
    ...cwg1.bind(a.x0 ? { x: a.x0 } : { images: ctx.train.images, order: ctx.order }, b.d1 ? { dy: b.d1 } : { a: a.a1, dpooled: b.dp1 }, grads['conv1.weight'], grads['conv1.bias']),
  ];
  const packT = cig2.pack;
  const packGroup = packT.bind({ w: p['conv2.weight'], packed: b.w2t });
  // Weight decay (an optimizer's) applies to the weights, not the biases, as d2l 4.5's concise version.
  const trainables = Object.entries(shapes).map(([name, shape]) => ({ name, shape, value: p[name], grad: grads[name], decay: name.endsWith('.weight') }));
  // The totals are the recorder's to clear and free; the rest of b is freed with the step's buffers.
  const own = [...Object.values(b).filter((buffer) => buffer !== totals.lossSum && buffer !== totals.correct), ...cwg2.buffers, ...cwg1.buffers, ...cig2.buffers];
  return accumulatingRecorder(convKernelsSummary(gpu, spec), totals, {
    bytes: sizeOf(a) + own.reduce((n, buffer) => n + buffer.size, 0) + sizeOf(grads),
    trainables,
    encode(pass, step) {
      packT.encode(pass, packGroup);
      encodeForward(pass, step);
      for (const [kernel, group] of backward) kernel.encode(pass, group, step);
    },
    destroy() {
      for (const buffer of [...Object.values(a), ...own, ...Object.values(grads)]) buffer.destroy();
    },
  });
}

export const lenetModel: ModelDefinition = {
  kind: 'lenet',
  summary: 'LeNet: two 5x5 convolutions with pooling, three dense layers (d2l 6.6; --activation relu --pool max: lr 0.1)',
  defaults: { lr: 0.9, epochs: 10 },
  // d2l trains the sigmoid LeNet at lr 0.9; the modern ReLU + max-pool variant diverges there and uses 0.1.
  defaultLr: (spec) => (spec.options.activation === 'relu' ? 0.1 : 0.9),
  options: LENET_OPTIONS,
  spec: lenetSpec,
  reference: { step: lenetStep, forward: lenetForward },
  problem: (_spec, batchSize) => (batchSize > LENET_MAX_ROWS ? `lenet trains with batches of at most ${LENET_MAX_ROWS}, not ${batchSize}` : null),
  init: lenetInit,
  shapes: lenetShapes,
  describe: (spec) => `lenet (${spec.options.activation}, ${spec.options.pool}-pool)`,
  templates: (spec, params) => {
    const [cOut, cIn, kh, kw] = params['conv1.weight'].shape;
    return {
      title: `First-layer filters: the ${cOut} ${kh}x${kw} kernels of conv1${cIn > 1 ? ' (channel 0)' : ''}`,
      data: params['conv1.weight'].data,
      count: cOut,
      height: kh,
      width: kw,
      stride: 1,
      offset: (i) => i * cIn * kh * kw,
      captions: Array.from({ length: cOut }, (_, i) => `filter ${i + 1}`),
    };
  },
  async create(gpu, spec, params): Promise<GpuModel> {
    const shapes = lenetShapes(spec);
    const p: Record<string, GPUBuffer> = {};
    for (const name of Object.keys(shapes)) p[name] = createBufferWith(gpu.device, name, params[name].data);
    const parameters: GpuParameter[] = Object.entries(shapes).map(([name, shape]) => ({ name, shape, buffer: p[name] }));
    return {
      spec,
      parameters,
      bytes: sizeOf(p),
      createStep: (ctx) => lenetStepRecorder(gpu, spec, p, shapes, ctx),
      async createForward(ctx): Promise<Forward> {
        const a = createActivations(gpu.device, spec, ctx.maxRows, 'forward', !conv1ReadsImages(gpu, spec));
        const kernels = await createForwardKernels(gpu, spec, ctx.maxRows);
        const encodeForward = bindForward(kernels, p, a, ctx.split, ctx.order);
        return {
          logits: a.logits,
          bytes: sizeOf(a),
          encodeForward,
          destroy() {
            for (const buffer of Object.values(a)) buffer.destroy();
          },
        };
      },
      destroy() {
        for (const buffer of Object.values(p)) buffer.destroy();
      },
    };
  },
};
