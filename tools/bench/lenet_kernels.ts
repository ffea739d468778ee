/**
 * `node dist/tools/bench/lenet_kernels.js [--reps N] [--only NAME]`: times each LeNet convolution-side kernel at
 * batch 256 with LeNet's shapes on the local adapter (random data; N dispatches in one submit, best of 3 submits),
 * with the pipeline's compile time (create and first dispatch: lavapipe compiles at the first). Used to choose
 * between kernel variants (docs/benchmark-history.md, LeNet). The subgroup kernels' tiles to try come from the
 * environment: RS=2x1x2,1x2x2x0,2x1x2x1 (conv2d_forward_subgroup's R x PV x CG [x POOLED], default 2x1x2, convTile's tile without padding), SS=16,8
 * (conv2d_weight_grad_subgroup's S chunks), CQ=2 (its channels per lane for conv1). Needs the `subgroups` feature.
 */
import { parseArgs } from 'node:util';
import { createBufferWith } from '../../src/gpu/buffers.js';
import { createNodeGpu } from '../../src/gpu/node.js';
import { ACTIVATION_CODES } from '../../src/kernels/activation.js';
import type { BoundKernel } from '../../src/kernels/kernel.js';
import { conv2dGeneralForward, conv2dGeneralInputGrad, conv2dGeneralWeightGrad } from '../../src/kernels/conv2d_general.js';
import { poolBackward, poolBackwardVec2 } from '../../src/kernels/pool_backward.js';
import { poolForward } from '../../src/kernels/pool_forward.js';
import { conv2dForwardSubgroup, conv2dForwardU8Subgroup, conv2dWeightGradSubgroup, conv2dWeightGradU8Subgroup, conv2dWeightGradU8UnpoolSubgroup } from '../../src/kernels/conv2d_subgroup.js';
import { createLinearForward, createLinearInputGrad, createLinearWeightGrad } from '../../src/kernels/linear.js';
import { matmulBias } from '../../src/kernels/matmul_bias.js';
import { StepSlots } from '../../src/train/steps.js';
import { dispatchTimer } from './dispatch_timer.js';

const B = 256;
const conv1 = { C_IN: 1, C_OUT: 6, H: 28, W: 28, KS: 5 };
const conv2 = { C_IN: 6, C_OUT: 16, H: 14, W: 14, KS: 5 };
const F1 = 2 * B * 6 * 28 * 28 * 25; // multiply-adds x2 of conv1 at batch 256
const F2 = 2 * B * 16 * 10 * 10 * 150;

async function main() {
  const { values } = parseArgs({ options: { reps: { type: 'string', default: '5' }, only: { type: 'string' } } });
  const reps = Number(values.reps);
  const gpu = await createNodeGpu();
  const { device } = gpu;
  const buf = (n: number) => createBufferWith(device, 'bench', Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5));
  // The first layer's u8 input: B images of random pixels in the identity order, and their labels.
  const words = (n: number, f: (i: number) => number) => createBufferWith(device, 'bench', Uint32Array.from({ length: n }, (_, i) => f(i)));
  const u8 = () => ({ images: words((B * 784) / 4, (i) => (i * 2654435761) >>> 0), order: words(B, (i) => i), labels: words(B, (i) => i % 10), targets: words(B, () => 0) });
  const step = StepSlots.create(device, [{ row0: 0, rows: B }]).groups[0];
  const cases: Array<[string, number, () => Promise<[BoundKernel<string>, Record<string, GPUBuffer>]>]> = [
    // conv2d_general: what a LeNet convolution runs on an adapter without the subgroup kernels.
    ['conv2d_general forward conv1', F1, async () => [await conv2dGeneralForward.create(gpu, conv1, { rows: B, constants: { PAD: 2, ACT: 1 } }), { x: buf(B * 784), w: buf(150), bias: buf(6), y: buf(B * 6 * 784) }]],
    ['conv2d_general forward conv2', F2, async () => [await conv2dGeneralForward.create(gpu, conv2, { rows: B, constants: { ACT: 1 } }), { x: buf(B * 6 * 196), w: buf(2400), bias: buf(16), y: buf(B * 1600) }]],
    ...(process.env.RS ?? "2x1x2").split(",").map((v) => v.split("x").map(Number)).flatMap(([R, PV, CG = 4, POOLED = 0]): typeof cases => [
      [`conv2d_forward_subgroup conv1 R${R}x${PV}x${CG}${POOLED ? ' pooled' : ''}`, F1, async () => [await conv2dForwardSubgroup.create(gpu, conv1, { rows: B, workgroup: 8, constants: { PAD: 2, ACT: 1, R, PV, CG, POOLED } }), { x: buf(B * 784), w: buf(25 * 8), bias: buf(6), y: buf(B * 6 * 784), pooled: buf(B * 6 * 196) }]],
      [`conv2d_forward_subgroup conv2 R${R}x${PV}x${CG}${POOLED ? ' pooled' : ''}`, F2, async () => [await conv2dForwardSubgroup.create(gpu, conv2, { rows: B, workgroup: 8, constants: { ACT: 1, R, PV, CG, POOLED } }), { x: buf(B * 6 * 196), w: buf(2400), bias: buf(16), y: buf(B * 1600), pooled: buf(B * 400) }]],
      [`conv2d_forward_subgroup conv2 dx R${R}x${PV}x${CG}`, F2, async () => [await conv2dForwardSubgroup.create(gpu, { C_IN: 16, C_OUT: 6, H: 10, W: 10, KS: 5 }, { rows: B, workgroup: 8, constants: { PAD: 4, BIAS: 0, R, PV, CG } }), { x: buf(B * 1600), w: buf(16 * 25 * 8), bias: buf(16), y: buf(B * 6 * 196), pooled: buf(4) }]],
    ]),
    ['conv2d_forward_u8_subgroup conv1 R2x1x2 pooled (shipped)', F1, async () => [await conv2dForwardU8Subgroup.create(gpu, conv1, { rows: B, workgroup: 8, constants: { PAD: 2, ACT: 1, R: 2, PV: 1, CG: 2, POOLED: 1 } }), { ...u8(), w: buf(25 * 8), bias: buf(6), y: buf(B * 6 * 784), pooled: buf(B * 6 * 196) }]],
    ['conv2d_weight_grad_u8_subgroup conv1 S16 unpooling (shipped)', F1, async () => [await conv2dWeightGradU8UnpoolSubgroup.create(gpu, conv1, { rows: B, workgroup: 8, constants: { PAD: 2, S: 16, CQ: 2, ACT: 1 } }), { images: u8().images, order: u8().order, a: buf(B * 6 * 784), dpooled: buf(B * 6 * 196), partial: buf(16 * 156) }]],
    ['conv2d_weight_grad_u8_subgroup conv1 S16', F1, async () => [await conv2dWeightGradU8Subgroup.create(gpu, conv1, { rows: B, workgroup: 8, constants: { PAD: 2, S: 16, CQ: 2 } }), { images: u8().images, order: u8().order, dy: buf(B * 6 * 784), partial: buf(16 * 156) }]],
    ['conv2d_general input grad conv2', F2, async () => [await conv2dGeneralInputGrad.create(gpu, conv2, { rows: B }), { dy: buf(B * 1600), w: buf(2400), dx: buf(B * 6 * 196) }]],
    ['conv2d_general weight grad conv2', F2, async () => [await conv2dGeneralWeightGrad.create(gpu, conv2, { rows: B }), { x: buf(B * 6 * 196), dy: buf(B * 1600), dw: buf(2400), db: buf(16) }]],
    ...(process.env.SS ?? "16").split(",").map(Number).flatMap((S): typeof cases => [
      [`conv2d_weight_grad_subgroup conv2 S${S}`, F2, async () => [await conv2dWeightGradSubgroup.create(gpu, conv2, { rows: B, workgroup: 8, constants: { S } }), { x: buf(B * 6 * 196), dy: buf(B * 1600), partial: buf(S * 2416) }]],
      [`conv2d_weight_grad_subgroup conv1 S${S}`, F1, async () => [await conv2dWeightGradSubgroup.create(gpu, conv1, { rows: B, workgroup: 8, constants: { PAD: 2, S, CQ: Number(process.env.CQ ?? 2) } }), { x: buf(B * 784), dy: buf(B * 6 * 784), partial: buf(S * 156) }]],
    ]),
    ['conv2d_general weight grad conv1', F1, async () => [await conv2dGeneralWeightGrad.create(gpu, conv1, { rows: B, constants: { PAD: 2 } }), { x: buf(B * 784), dy: buf(B * 6 * 784), dw: buf(150), db: buf(6) }]],
    // LeNet's dense layers as the model creates them (kernels/linear.ts), sigmoid fused.
    ...([[400, 120, 'fc1'], [120, 84, 'fc2'], [84, 10, 'fc3']] as const).flatMap(([K, N, name]): typeof cases => [
      [`dense forward ${name} ${K}x${N}`, 2 * B * K * N, async () => [(await createLinearForward(gpu, { K, N }, B, { ACT: ACTIVATION_CODES.sigmoid })) as BoundKernel<string>, { x: buf(B * K), w: buf(K * N), b: buf(N), out: buf(B * N) }]],
      [`dense input grad ${name} ${K}x${N}`, 2 * B * K * N, async () => [(await createLinearInputGrad(gpu, { K, N }, B, { ACT: ACTIVATION_CODES.sigmoid })) as BoundKernel<string>, { dy: buf(B * N), w: buf(K * N), h: buf(B * K), dx: buf(B * K) }]],
      [`dense weight grad ${name} ${K}x${N}`, 2 * B * K * N, async () => [(await createLinearWeightGrad(gpu, { K, N }, B)) as BoundKernel<string>, { x: buf(B * K), dy: buf(B * N), dw: buf(K * N) }]],
    ]),
    ['matmul_bias fc1 (calibration)', 2 * B * 400 * 120, async () => [await matmulBias.create(gpu, { K: 400, N: 120 }, { rows: B }), { x: buf(B * 400), w: buf(400 * 120), b: buf(120), logits: buf(B * 120) }]],
    ['pool_forward conv1', 0, async () => [await poolForward.create(gpu, { C: 6, H: 28, W: 28 }, { rows: B }), { x: buf(B * 6 * 784), y: buf(B * 6 * 196) }]],
    ['pool_backward conv1', 0, async () => [await poolBackward.create(gpu, { C: 6, H: 28, W: 28 }, { rows: B, constants: { ACT: 1 } }), { a: buf(B * 6 * 784), dy: buf(B * 6 * 196), dx: buf(B * 6 * 784) }]],
    ['pool_backward_vec2 conv1', 0, async () => [await poolBackwardVec2.create(gpu, { C: 6, H: 28, W: 28 }, { rows: B, constants: { ACT: 1 } }), { a: buf(B * 6 * 784), dy: buf(B * 6 * 196), dx: buf(B * 6 * 784) }]],
  ];
  for (const [name, flop, make] of cases) {
    if (values.only && !name.includes(values.only)) continue;
    const t0 = performance.now();
    const [kernel, buffers] = await make();
    const compile = performance.now() - t0;
    const group = kernel.bind(buffers);
    const timer = dispatchTimer(device, kernel, group, step, reps);
    const run = async () => (await timer()).wall;
    const t1 = performance.now();
    await run();
    const first = performance.now() - t1; // lavapipe compiles the pipeline at its first dispatch
    const best = Math.min(await run(), await run(), await run());
    console.log(`${name.padEnd(28)} ${best.toFixed(2).padStart(8)} ms/dispatch  ${flop ? ((flop / best) * 1e-6).toFixed(2).padStart(6) + ' GFLOP/s' : '       -       '}  compile ${((compile + first) / 1000).toFixed(1)} s`);
  }
  device.destroy();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
