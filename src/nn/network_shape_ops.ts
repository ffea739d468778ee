/**
 * The network's nodes without parameters: pooling (and global average pooling), activations, the sum that joins
 * a residual block and the channel concatenation of branches. Each reads the buffer it was built on and, in
 * training, hands ∂l/∂input down where something below needs it. (Parameter-owning nodes: nn/network.ts.)
 */
import { POOL_CODES, poolForward } from '../kernels/pool_forward.js';
import { poolBackwardFor } from '../kernels/pool_backward.js';
import { elementsOf } from '../model/tensors.js';
import type { LayerDecl } from './declare.js';
import { BackwardCache, forwardOnly, type NetworkContext, type Node, type NodeInput } from './network.js';
import { createBuffer } from '../gpu/buffers.js';
import { ACTIVATION_CODES, activationBackward, activationForward } from '../kernels/activation.js';
import { add, addInto } from '../kernels/add.js';
import { channelCopy } from '../kernels/channel_copy.js';

const rowsBuffer = (ctx: NetworkContext, label: string, shape: readonly number[]) => createBuffer(ctx.gpu.device, label, ctx.maxRows * elementsOf(shape) * 4);

/** A pooling node over [C, H, W] maps with the pool kernels' `constants` (window, stride, padding, POOL). */
async function pooling(ctx: NetworkContext, input: NodeInput, shape: readonly number[], constants: Record<string, number>, label: string): Promise<Node> {
  const [C, H, W] = input.shape;
  const { gpu, maxRows } = ctx;
  const output = rowsBuffer(ctx, `${label}.output`, shape);
  const forward = await poolForward.create(gpu, { C, H, W }, { rows: maxRows, constants });
  const group = forward.bind({ x: input.buffer, y: output });
  if (!ctx.training) return forwardOnly(output, shape, [forward, group]);
  const backwardKernel = poolBackwardFor({ H, W }, constants);
  // The 2x2 / stride-2 fast path takes no window constants (its window is fixed): pass it only those it has.
  const known = (name: string) => name in (backwardKernel.spec.constants ?? {});
  const backwardConstants = Object.fromEntries(Object.entries(constants).filter(([name]) => known(name)));
  const backward = input.needsGrad ? await backwardKernel.create(gpu, { C, H, W }, { rows: maxRows, constants: backwardConstants }) : null;
  const dx = backward ? rowsBuffer(ctx, `${label}.input.grad`, input.shape) : null;
  const cache = new BackwardCache();
  return {
    output,
    shape,
    bytes: output.size + (dx?.size ?? 0),
    forward: (pass, step) => forward.encode(pass, group, step),
    backward(pass, dy, step) {
      if (backward && dx) cache.run(pass, dy, step, () => [[backward, backward.bind({ a: input.buffer, dy, dx })]]);
      return dx;
    },
    destroy() {
      output.destroy();
      dx?.destroy();
    },
  };
}

/** MaxPool2d / AvgPool2d. */
export function poolNode(ctx: NetworkContext, layer: Extract<LayerDecl, { type: 'MaxPool2d' | 'AvgPool2d' }>, input: NodeInput, shape: readonly number[]): Promise<Node> {
  const pool = layer.type === 'MaxPool2d' ? POOL_CODES.max : POOL_CODES.avg;
  return pooling(ctx, input, shape, { POOL: pool, KS: layer.kernelSize, STRIDE: layer.stride, PAD: layer.padding }, layer.type);
}

/** AdaptiveAvgPool2d(1): the mean of each whole map, as one H x W window. */
export function globalAvgPoolNode(ctx: NetworkContext, input: NodeInput, shape: readonly number[]): Promise<Node> {
  const [, H, W] = input.shape;
  return pooling(ctx, input, shape, { POOL: POOL_CODES.avg, KS: Math.max(H, W), KH: H, KW: W, STRIDE: 1, PAD: 0 }, 'AdaptiveAvgPool2d');
}

/** nn.ReLU() / nn.Sigmoid() as their own node; the backward reads the forward's output for the slope. */
export async function activationNode(ctx: NetworkContext, type: 'ReLU' | 'Sigmoid', input: NodeInput): Promise<Node> {
  const N = elementsOf(input.shape);
  const options = { rows: ctx.maxRows, constants: { ACT: type === 'ReLU' ? ACTIVATION_CODES.relu : ACTIVATION_CODES.sigmoid } };
  const output = rowsBuffer(ctx, `${type}.output`, input.shape);
  const forward = await activationForward.create(ctx.gpu, { N }, options);
  const group = forward.bind({ x: input.buffer, out: output });
  if (!ctx.training) return forwardOnly(output, input.shape, [forward, group]);
  const backward = input.needsGrad ? await activationBackward.create(ctx.gpu, { N }, options) : null;
  const dx = backward ? rowsBuffer(ctx, `${type}.input.grad`, input.shape) : null;
  const cache = new BackwardCache();
  return {
    output,
    shape: input.shape,
    bytes: output.size + (dx?.size ?? 0),
    forward: (pass, step) => forward.encode(pass, group, step),
    backward(pass, dy, step) {
      if (backward && dx) cache.run(pass, dy, step, () => [[backward, backward.bind({ x: output, dy, out: dx })]]);
      return dx;
    },
    destroy() {
      output.destroy();
      dx?.destroy();
    },
  };
}

/**
 * A residual block's join: y = body(x) + shortcut(x) (the identity when `shortcut` is null). The input fans out to
 * both paths, so its gradient is the sum of theirs.
 */
export async function addNode(ctx: NetworkContext, body: Node, shortcut: Node | null, input: NodeInput): Promise<Node> {
  const sum = await add.create(ctx.gpu, { N: elementsOf(body.shape) }, { rows: ctx.maxRows });
  const output = rowsBuffer(ctx, 'Residual.output', body.shape);
  const group = sum.bind({ a: body.output, b: shortcut ? shortcut.output : input.buffer, out: output });
  const dx = ctx.training && input.needsGrad ? rowsBuffer(ctx, 'Residual.input.grad', input.shape) : null;
  // The input's gradient has the input's size, which a strided block's output does not.
  const sumInput = dx ? await add.create(ctx.gpu, { N: elementsOf(input.shape) }, { rows: ctx.maxRows }) : null;
  const cache = new BackwardCache();
  return {
    output,
    shape: body.shape,
    bytes: output.size + (dx?.size ?? 0) + body.bytes + (shortcut?.bytes ?? 0),
    forward(pass, step) {
      body.forward(pass, step);
      shortcut?.forward(pass, step);
      sum.encode(pass, group, step);
    },
    backward(pass, dy, step) {
      const a = body.backward(pass, dy, step);
      const b = shortcut ? shortcut.backward(pass, dy, step) : dy;
      if (!dx || !sumInput || !a || !b) return null;
      cache.run(pass, dy, step, () => [[sumInput, sumInput.bind({ a, b, out: dx })]]);
      return dx;
    },
    destroy() {
      body.destroy();
      shortcut?.destroy();
      output.destroy();
      dx?.destroy();
    },
  };
}

/** Branches on one input, their outputs concatenated along channels (GoogLeNet's Inception, DenseNet's blocks). */
export async function concatNode(ctx: NetworkContext, branches: Node[], input: NodeInput, shape: readonly number[]): Promise<Node> {
  const [total, h, w] = shape;
  const HW = h * w;
  const output = rowsBuffer(ctx, 'Concat.output', shape);
  let offset = 0;
  const parts = await Promise.all(
    branches.map(async (branch) => {
      const dims = { C_PART: branch.shape[0], C_TOTAL: total, HW };
      const at = offset;
      offset += branch.shape[0];
      const into = await channelCopy.create(ctx.gpu, dims, { rows: ctx.maxRows, constants: { OFFSET: at, INTO: 1 } });
      const out = ctx.training ? await channelCopy.create(ctx.gpu, dims, { rows: ctx.maxRows, constants: { OFFSET: at, INTO: 0 } }) : null;
      const grad = out ? rowsBuffer(ctx, 'Concat.branch.grad', branch.shape) : null; // the branch's slice of ∂l/∂output
      return { branch, into, intoGroup: into.bind({ part: branch.output, whole: output }), out, grad };
    }),
  );
  const many = ctx.training && input.needsGrad && branches.length > 1;
  const [sum, accumulate] = many ? await Promise.all([add.create(ctx.gpu, { N: elementsOf(input.shape) }, { rows: ctx.maxRows }), addInto.create(ctx.gpu, { N: elementsOf(input.shape) }, { rows: ctx.maxRows })]) : [null, null];
  // The input's gradient: the first two branches' summed, then each further one added.
  const dx = many ? rowsBuffer(ctx, 'Concat.input.grad', input.shape) : null;
  const cache = new BackwardCache();
  const sums = new Map<string, GPUBindGroup>();
  const bound = (key: string, make: () => GPUBindGroup) => sums.get(key) ?? sums.set(key, make()).get(key)!;
  return {
    output,
    shape,
    bytes: output.size + (dx?.size ?? 0) + parts.reduce((n, p) => n + p.branch.bytes + (p.grad?.size ?? 0), 0),
    forward(pass, step) {
      for (const p of parts) {
        p.branch.forward(pass, step);
        p.into.encode(pass, p.intoGroup, step);
      }
    },
    backward(pass, dy, step) {
      cache.run(pass, dy, step, () => parts.map((p) => [p.out!, p.out!.bind({ part: p.grad!, whole: dy })]));
      const grads = parts.map((p) => p.branch.backward(pass, p.grad!, step));
      if (!input.needsGrad || grads.some((g) => !g)) return null;
      const [g0, g1, ...rest] = grads as GPUBuffer[];
      if (!g1) return g0;
      if (!sum || !accumulate || !dx) return null;
      sum.encode(pass, bound('sum', () => sum.bind({ a: g0, b: g1, out: dx })), step);
      rest.forEach((g, i) => accumulate.encode(pass, bound(`acc${i}`, () => accumulate.bind({ b: g, out: dx })), step));
      return dx;
    },
    destroy() {
      for (const p of parts) {
        p.branch.destroy();
        p.grad?.destroy();
      }
      output.destroy();
      dx?.destroy();
    },
  };
}
