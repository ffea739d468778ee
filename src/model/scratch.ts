/**
 * Softmax regression from scratch (d2l 3.6): every stage is its own kernel, the gradients are written by hand.
 *   net(X)      = softmax(X·W + b)                  matmul_bias, softmax
 *   loss        = -log(ŷ[y])                        cross_entropy
 *   accuracy    = argmax(ŷ) == y                    argmax_accuracy
 *   ∂l/∂logits  = (ŷ - onehot(y)) / B               softmax_cross_entropy_grad
 *   ∂l/∂W = Xᵀ·∂l/∂logits, ∂l/∂b = Σ_rows ∂l/∂logits   weight_grad, bias_grad
 *   W -= lr·∂l/∂W, b -= lr·∂l/∂b                    sgd_update (twice)
 */
import type { Gpu } from '../gpu/device.js';
import { createBuffer, createBufferWith } from '../gpu/buffers.js';
import { argmaxAccuracy } from '../kernels/argmax_accuracy.js';
import { biasGrad } from '../kernels/bias_grad.js';
import { crossEntropy } from '../kernels/cross_entropy.js';
import type { Dims } from '../kernels/kernel.js';
import { matmulBias } from '../kernels/matmul_bias.js';
import { createSgdUniform, sgdDims, sgdUpdate } from '../kernels/sgd_update.js';
import { softmax } from '../kernels/softmax.js';
import { softmaxCrossEntropyGrad } from '../kernels/softmax_cross_entropy_grad.js';
import { weightGrad } from '../kernels/weight_grad.js';
import type { ModelConfig, StepIo, TrainableModel } from './model.js';
import type { Parameters } from './parameters.js';

export async function createScratchModel(gpu: Gpu, io: StepIo, config: ModelConfig, init: Parameters): Promise<TrainableModel> {
  const { device } = gpu;
  const { maxRows: B, features: K, classes: N, lr } = config;
  const dims: Dims = { rows: B, features: K, classes: N };
  const buffers = {
    weights: createBufferWith(device, 'W', init.weights), // [K, N] row-major
    bias: createBufferWith(device, 'b', init.bias), // [N]
    logits: createBuffer(device, 'logits', B * N * 4), // [B, N]
    probs: createBuffer(device, 'probs', B * N * 4), // [B, N]
    loss: createBuffer(device, 'loss', B * 4), // [B]
    dlogits: createBuffer(device, 'dlogits', B * N * 4), // [B, N]
    dw: createBuffer(device, 'dW', K * N * 4), // [K, N]
    db: createBuffer(device, 'db', N * 4), // [N]
    sgdW: createSgdUniform(device, 'sgd W', lr, K * N),
    sgdB: createSgdUniform(device, 'sgd b', lr, N),
  };
  const [mm, sm, ce, acc, grad, wg, bg, sgd] = await Promise.all([
    matmulBias.create(gpu),
    softmax.create(gpu),
    crossEntropy.create(gpu),
    argmaxAccuracy.create(gpu),
    softmaxCrossEntropyGrad.create(gpu),
    weightGrad.create(gpu),
    biasGrad.create(gpu),
    sgdUpdate.create(gpu),
  ]);
  const b = buffers;
  const groups = {
    mm: mm.bind({ x: io.x, w: b.weights, b: b.bias, logits: b.logits }),
    sm: sm.bind({ logits: b.logits, probs: b.probs }),
    ce: ce.bind({ probs: b.probs, y: io.y, loss: b.loss, loss_sum: io.lossSum }),
    acc: acc.bind({ logits: b.probs, y: io.y, predictions: io.predictions, correct: io.correct }),
    grad: grad.bind({ probs: b.probs, y: io.y, dlogits: b.dlogits }),
    wg: wg.bind({ x: io.x, dlogits: b.dlogits, dw: b.dw }),
    bg: bg.bind({ dlogits: b.dlogits, db: b.db }),
    sgdW: sgd.bind({ sgd: b.sgdW, param: b.weights, grad: b.dw }),
    sgdB: sgd.bind({ sgd: b.sgdB, param: b.bias, grad: b.db }),
  };
  return {
    kind: 'scratch',
    bytes: Object.values(buffers).reduce((n, buffer) => n + buffer.size, 0),
    weights: b.weights,
    bias: b.bias,
    encodeStep(pass, step) {
      mm.encode(pass, groups.mm, step, dims);
      sm.encode(pass, groups.sm, step, dims);
      ce.encode(pass, groups.ce, step, dims);
      acc.encode(pass, groups.acc, step, dims);
      grad.encode(pass, groups.grad, step, dims);
      wg.encode(pass, groups.wg, step, dims);
      bg.encode(pass, groups.bg, step, dims);
      sgd.encode(pass, groups.sgdW, null, sgdDims(K * N));
      sgd.encode(pass, groups.sgdB, null, sgdDims(N));
    },
    destroy() {
      for (const buffer of Object.values(buffers)) buffer.destroy();
    },
  };
}
