/**
 * Softmax regression from scratch (d2l 3.6): every stage is its own kernel, the gradients are written by hand.
 *   net(X)      = softmax(X·W + b)                  matmul_bias, softmax
 *   loss        = -log(ŷ[y])                        cross_entropy
 *   accuracy    = argmax(ŷ) == y                    argmax_accuracy
 *   ∂l/∂logits  = (ŷ - onehot(y)) / B               softmax_cross_entropy_grad
 *   ∂l/∂W = Xᵀ·∂l/∂logits, ∂l/∂b = Σ_rows ∂l/∂logits   weight_grad, bias_grad
 *   W -= lr·∂l/∂W, b -= lr·∂l/∂b                    sgd_update (twice)
 * Its fused path computes the same step with the same clamped -log(p[y]).
 */
import { createBuffer } from '../gpu/buffers.js';
import { argmaxAccuracy } from '../kernels/argmax_accuracy.js';
import { biasGrad } from '../kernels/bias_grad.js';
import { crossEntropy } from '../kernels/cross_entropy.js';
import { matmulBias } from '../kernels/matmul_bias.js';
import { createSgdUniform, sgdUpdate } from '../kernels/optimizer.js';
import { softmax } from '../kernels/softmax.js';
import { softmaxCrossEntropyGrad } from '../kernels/softmax_cross_entropy_grad.js';
import { weightGrad } from '../kernels/weight_grad.js';
import { pixelsOf } from './model.js';
import { sizeOf, softmaxModel } from './softmax_regression.js';
import { writtenOutSgdProblem } from '../optim/config.js';

/** d2l 3.6: softmax regression from scratch. */
export const scratchModel = softmaxModel({
  kind: 'scratch',
  summary: 'softmax regression from scratch: softmax, clamped cross-entropy and hand-written gradients (d2l 3.6)',
  optimizerProblem: (optimizer) => writtenOutSgdProblem('scratch', 'concise', optimizer),
  async separate(gpu, spec, p, io, ctx) {
    const { device } = gpu;
    const B = ctx.maxRows;
    const K = pixelsOf(spec.input);
    const N = spec.classes;
    const buffers = {
      logits: createBuffer(device, 'logits', B * N * 4), // [B, N]
      probs: createBuffer(device, 'probs', B * N * 4), // [B, N]
      loss: createBuffer(device, 'loss', B * 4), // [B]
      dlogits: createBuffer(device, 'dlogits', B * N * 4), // [B, N]
      dw: createBuffer(device, 'dW', K * N * 4), // [K, N]
      db: createBuffer(device, 'db', N * 4), // [N]
      sgd: createSgdUniform(device, 'sgd', ctx.lr),
    };
    const rows = { rows: B };
    const [mm, sm, ce, acc, grad, wg, bg, sgdW, sgdB] = await Promise.all([
      matmulBias.create(gpu, { K, N }, { ...rows, tiles: ctx.tuning.dense }),
      softmax.create(gpu, { N }, rows),
      crossEntropy.create(gpu, { N }, rows),
      argmaxAccuracy.create(gpu, { N }, rows),
      softmaxCrossEntropyGrad.create(gpu, { N }, rows),
      weightGrad.create(gpu, { K, N }, { ...rows, tiles: ctx.tuning.dense }),
      biasGrad.create(gpu, { N }, rows),
      sgdUpdate.create(gpu, { COUNT: K * N }),
      sgdUpdate.create(gpu, { COUNT: N }),
    ]);
    const b = buffers;
    const groups = {
      mm: mm.bind({ x: io.x, w: p.W, b: p.b, logits: b.logits }),
      sm: sm.bind({ logits: b.logits, probs: b.probs }),
      ce: ce.bind({ probs: b.probs, y: io.y, loss: b.loss, loss_sum: io.lossSum }),
      acc: acc.bind({ logits: b.probs, y: io.y, predictions: io.predictions, correct: io.correct }),
      grad: grad.bind({ probs: b.probs, y: io.y, dlogits: b.dlogits }),
      wg: wg.bind({ x: io.x, dlogits: b.dlogits, dw: b.dw }),
      bg: bg.bind({ dlogits: b.dlogits, db: b.db }),
      sgdW: sgdW.bind({ sgd: b.sgd, param: p.W, grad: b.dw }),
      sgdB: sgdB.bind({ sgd: b.sgd, param: p.b, grad: b.db }),
    };
    return {
      bytes: sizeOf(buffers),
      encode(pass, step) {
        mm.encode(pass, groups.mm, step);
        sm.encode(pass, groups.sm, step);
        ce.encode(pass, groups.ce, step);
        acc.encode(pass, groups.acc, step);
        grad.encode(pass, groups.grad, step);
        wg.encode(pass, groups.wg, step);
        bg.encode(pass, groups.bg, step);
        sgdW.encode(pass, groups.sgdW);
        sgdB.encode(pass, groups.sgdB);
      },
      destroy() {
        for (const buffer of Object.values(buffers)) buffer.destroy();
      },
    };
  },
});
