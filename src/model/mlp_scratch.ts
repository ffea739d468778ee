/**
 * MLP from scratch (d2l 4.2, with 4.5's weight decay and 4.6's dropout): parameters W1, b1, W2, b2 made by
 * hand, relu and dropout as their own kernels, and the backward written out as the kernels it runs, in order.
 * For the book's 784-256-10 with dropout p after the hidden layer:
 *   Z1 = X·W1 + b1                       linear:forward, u8 prologue (X read as u8 from the dataset; also gathers y)
 *   H1 = relu(Z1)                        relu
 *   D1 = dropout(H1, p)  (training)      dropout (mask: a hash of seed, epoch, step, element)
 *   logits = D1·W2 + b2                  linear:forward
 *   loss, ∂l/∂logits                     log_softmax_cross_entropy (nn.CrossEntropyLoss, as the book uses)
 *   hits                                 argmax_accuracy
 *   ∂l/∂W2 = D1ᵀ·∂l/∂logits              linear:weight_grad
 *   ∂l/∂b2 = Σ_rows ∂l/∂logits           bias_grad
 *   ∂l/∂Z1 = (∂l/∂logits·W2ᵀ) ⊙ [H1 > 0] ⊙ mask / (1 - p)   linear:input_grad (relu's and dropout's backward
 *                                        fused in: the mask is recomputed from the same hash, not stored)
 *   ∂l/∂W1 = Xᵀ·∂l/∂Z1                   linear:weight_grad, u8 prologue
 *   ∂l/∂b1 = Σ_rows ∂l/∂Z1               bias_grad
 *   W -= lr·(∂l/∂W + wd·W), b -= lr·∂l/∂b   optimizer:sgd_weight_decay (weights), optimizer:sgd_update (biases)
 * More hidden layers repeat the middle lines. (linear: shaders/linear.wgsl, or its subgroup shape
 * linear_subgroup.wgsl, as kernels/linear.ts picks; file:entry point as `kernels --show` names them.)
 */
import { createBuffer } from '../gpu/buffers.js';
import { ACTIVATION_CODES } from '../kernels/activation.js';
import { argmaxAccuracy } from '../kernels/argmax_accuracy.js';
import { biasGrad } from '../kernels/bias_grad.js';
import { dropout } from '../kernels/dropout.js';
import type { BoundKernel } from '../kernels/kernel.js';
import { createLinearForward, createLinearForwardU8, createLinearInputGrad, createLinearWeightGrad, createLinearWeightGradU8 } from '../kernels/linear.js';
import { logSoftmaxCrossEntropy } from '../kernels/log_softmax_cross_entropy.js';
import { createSgdUniform, sgdUpdate, sgdWeightDecay } from '../kernels/optimizer.js';
import { relu } from '../kernels/relu.js';
import { hiddenDropout, layerSizes, mlpFrame, mlpModel, optionsOf } from './mlp.js';
import type { ModelDefinition } from './model.js';
import { sizeOf } from './softmax_regression.js';
import { mlpReference } from '../reference/mlp.js';
import { writtenOutSgdProblem } from '../optim/config.js';

type Dispatch = { kernel: BoundKernel<string>; group: GPUBindGroup; step: boolean };

export const mlpScratchModel: ModelDefinition = {
  ...mlpModel({
  kind: 'mlp-scratch',
  summary: 'MLP from scratch: W1, b1, W2, b2 by hand, relu and dropout kernels, the backward written out (d2l 4.2, 4.5, 4.6)',
  createStep: (gpu, spec, p, ctx) =>
    mlpFrame(gpu, spec, ctx, 'separate kernels', async (io) => {
      const { device } = gpu;
      const B = ctx.maxRows;
      const sizes = layerSizes(spec);
      const L = sizes.length - 1; // linear layers; hidden layers are 1 .. L - 1
      const opts = optionsOf(spec);
      const choice = { tiles: ctx.tuning.dense };
      const b: Record<string, GPUBuffer> = {
        loss: createBuffer(device, 'loss', B * 4), // [B]
        dlogits: createBuffer(device, 'dlogits', B * spec.classes * 4), // [B, classes]
        sgdW: createSgdUniform(device, 'sgd weights', ctx.lr, opts.weightDecay),
        sgdB: createSgdUniform(device, 'sgd biases', ctx.lr),
      };
      for (let l = 1; l <= L; l++) {
        b[`Z${l}`] = createBuffer(device, `Z${l}`, B * sizes[l] * 4); // [B, n_l] pre-activation (the logits for l = L)
        b[`dW${l}`] = createBuffer(device, `dW${l}`, sizes[l - 1] * sizes[l] * 4); // [n_{l-1}, n_l]
        b[`db${l}`] = createBuffer(device, `db${l}`, sizes[l] * 4); // [n_l]
        if (l < L) {
          b[`H${l}`] = createBuffer(device, `H${l}`, B * sizes[l] * 4); // [B, n_l] relu(Z_l)
          if (opts.dropout[l - 1] > 0) b[`D${l}`] = createBuffer(device, `D${l}`, B * sizes[l] * 4); // [B, n_l] dropout(H_l)
          b[`dZ${l}`] = createBuffer(device, `dZ${l}`, B * sizes[l] * 4); // [B, n_l] ∂l/∂Z_l
        }
      }
      // What layer l reads: the image bytes for l = 1, else the layer below's output after relu and dropout.
      const input = (l: number) => b[`D${l - 1}`] ?? b[`H${l - 1}`];
      const gradOut = (l: number) => (l === L ? b.dlogits : b[`dZ${l}`]);
      const forward: Dispatch[] = [];
      const backward: Dispatch[] = [];
      const update: Dispatch[] = [];
      for (let l = 1; l <= L; l++) {
        const shape = { K: sizes[l - 1], N: sizes[l] };
        if (l === 1) {
          const k = await createLinearForwardU8(gpu, shape, B, {}, choice);
          forward.push({ kernel: k, group: k.bind({ images: ctx.train.images, labels: ctx.train.labels, order: ctx.order, w: p.W1, b: p.b1, out: b.Z1, y: io.y }), step: true });
        } else {
          const k = await createLinearForward(gpu, shape, B, {}, choice);
          forward.push({ kernel: k, group: k.bind({ x: input(l), w: p[`W${l}`], b: p[`b${l}`], out: b[`Z${l}`] }), step: true });
        }
        if (l < L) {
          const r = await relu.create(gpu, { N: sizes[l] }, { rows: B });
          forward.push({ kernel: r, group: r.bind({ x: b[`Z${l}`], out: b[`H${l}`] }), step: true });
          if (b[`D${l}`]) {
            const d = await dropout.create(gpu, { N: sizes[l] }, { rows: B, constants: { ...hiddenDropout(spec, ctx.seed, l - 1) } });
            forward.push({ kernel: d, group: d.bind({ x: b[`H${l}`], out: b[`D${l}`] }), step: true });
          }
        }
      }
      const N = spec.classes;
      const [ce, acc] = await Promise.all([logSoftmaxCrossEntropy.create(gpu, { N }, { rows: B }), argmaxAccuracy.create(gpu, { N }, { rows: B })]);
      forward.push({ kernel: ce, group: ce.bind({ logits: b[`Z${L}`], y: io.y, loss: b.loss, loss_sum: io.lossSum, dlogits: b.dlogits }), step: true });
      forward.push({ kernel: acc, group: acc.bind({ logits: b[`Z${L}`], y: io.y, predictions: io.predictions, correct: io.correct }), step: true });
      for (let l = L; l >= 1; l--) {
        const shape = { K: sizes[l - 1], N: sizes[l] };
        const dy = gradOut(l);
        if (l === 1) {
          const k = await createLinearWeightGradU8(gpu, shape, B, choice);
          backward.push({ kernel: k, group: k.bind({ images: ctx.train.images, order: ctx.order, dy, dw: b.dW1 }), step: true });
        } else {
          const k = await createLinearWeightGrad(gpu, shape, B, choice);
          backward.push({ kernel: k, group: k.bind({ x: input(l), dy, dw: b[`dW${l}`] }), step: true });
        }
        const bg = await biasGrad.create(gpu, { N: sizes[l] }, { rows: B });
        backward.push({ kernel: bg, group: bg.bind({ dlogits: dy, db: b[`db${l}`] }), step: true });
        if (l > 1) {
          // Through layer l's weights, then relu's and dropout's backward of layer l - 1 (mask recomputed).
          const k = await createLinearInputGrad(gpu, shape, B, { ACT: ACTIVATION_CODES.relu, ...hiddenDropout(spec, ctx.seed, l - 2) }, choice);
          backward.push({ kernel: k, group: k.bind({ dy, w: p[`W${l}`], h: b[`H${l - 1}`], dx: b[`dZ${l - 1}`] }), step: true });
        }
      }
      for (let l = 1; l <= L; l++) {
        const w = await sgdWeightDecay.create(gpu, { COUNT: sizes[l - 1] * sizes[l] });
        update.push({ kernel: w, group: w.bind({ sgd: b.sgdW, param: p[`W${l}`], grad: b[`dW${l}`] }), step: false });
        const u = await sgdUpdate.create(gpu, { COUNT: sizes[l] });
        update.push({ kernel: u, group: u.bind({ sgd: b.sgdB, param: p[`b${l}`], grad: b[`db${l}`] }), step: false });
      }
      const all = [...forward, ...backward, ...update];
      return {
        bytes: sizeOf(b),
        encode(pass, step) {
          for (const d of all) d.kernel.encode(pass, d.group, d.step ? step : undefined);
        },
        destroy() {
          for (const buffer of Object.values(b)) buffer.destroy();
        },
      };
    }),
  }),
  reference: mlpReference,
  optimizerProblem: (_spec, optimizer) => writtenOutSgdProblem('mlp-scratch', 'mlp', optimizer),
};
