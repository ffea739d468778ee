/**
 * The CPU twin of an MLP step (d2l 4.2-4.6), from the kernels' CPU twins in the order the GPU runs them:
 *   h_l = dropout_l(relu(h_{l-1}·W_l + b_l)) for each hidden layer, logits = h_L·W_{L+1} + b_{L+1}
 *   loss, dlogits = log_softmax_cross_entropy; hits = argmax_accuracy
 *   for l = L+1 .. 1: dW_l = h_{l-1}ᵀ·g, db_l = Σ_rows g, g = (g·W_lᵀ) ⊙ [h_{l-1} > 0] ⊙ mask_{l-1} / (1 - p)
 *   W_l -= lr·(dW_l + wd·W_l), b_l -= lr·db_l
 * Dropout's masks come from the same hash as the GPU's (reference/dropout_mask.ts).
 */
import { hiddenDropout, layerSizes, optionsOf } from '../model/mlp.js';
import type { ModelSpec } from '../model/model.js';
import type { Parameters } from '../model/tensors.js';
import { argmaxAccuracy } from './argmax_accuracy.js';
import { biasGrad } from './bias_grad.js';
import { linearForward, type Epilogue } from './linear_forward.js';
import { linearInputGrad } from './linear_input_grad.js';
import { linearWeightGrad } from './linear_weight_grad.js';
import { logSoftmaxCrossEntropy } from './log_softmax_cross_entropy.js';
import { sgdUpdate, sgdWeightDecay } from './optimizer.js';
import type { ReferenceModel } from './train.js';

export interface MlpStepInfo {
  seed: number;
  epoch: number;
  index: number;
}

/** Hidden layer l's (0-based) epilogue: ReLU, and dropout when training with p > 0. */
function epilogue(spec: ModelSpec, l: number, training: MlpStepInfo | null): Epilogue {
  const mask = training ? hiddenDropout(spec, training.seed, l) : null;
  return { relu: true, dropout: mask && mask.DROP_THRESHOLD > 0 ? { mask, step: training! } : undefined };
}

/** Activations of every layer for x: [rows, 784] (pixels / 255): acts[0] = x, acts[L + 1] = logits. */
export function mlpActivations(spec: ModelSpec, params: Parameters, x: Float32Array, rows: number, training: MlpStepInfo | null): Float32Array[] {
  const sizes = layerSizes(spec);
  const acts = [x];
  for (let l = 1; l < sizes.length; l++) {
    const hidden = l < sizes.length - 1;
    acts.push(linearForward(acts[l - 1], params[`W${l}`].data, params[`b${l}`].data, rows, sizes[l - 1], sizes[l], hidden ? epilogue(spec, l - 1, training) : { relu: false }));
  }
  return acts;
}

/** The minibatch's loss sum, hits and the gradient of its mean loss for every parameter (no update). */
export function mlpGradients(spec: ModelSpec, params: Parameters, x: Float32Array, y: Uint32Array, rows: number, step: MlpStepInfo) {
  const sizes = layerSizes(spec);
  const L = sizes.length - 1; // linear layers
  const acts = mlpActivations(spec, params, x, rows, step);
  const logits = acts[L];
  const { sum, dlogits } = logSoftmaxCrossEntropy(logits, y, rows, spec.classes);
  const correct = argmaxAccuracy(logits, y, rows, spec.classes).correct;
  const grads: Parameters = {};
  let g = dlogits;
  for (let l = L; l >= 1; l--) {
    const [K, N] = [sizes[l - 1], sizes[l]];
    grads[`W${l}`] = { shape: [K, N], data: linearWeightGrad(acts[l - 1], g, rows, K, N) };
    grads[`b${l}`] = { shape: [N], data: biasGrad(g, rows, N) };
    if (l > 1) {
      const e = epilogue(spec, l - 2, step);
      g = linearInputGrad(g, params[`W${l}`].data, acts[l - 1], rows, K, N, { reluMask: true, dropout: e.dropout });
    }
  }
  return { lossSum: sum, correct, grads };
}

export const mlpReference: ReferenceModel = {
  step(spec, params, x, y, rows, lr, step) {
    const { lossSum, correct, grads } = mlpGradients(spec, params, x, y, rows, step);
    const { weightDecay } = optionsOf(spec);
    for (const [name, grad] of Object.entries(grads)) {
      // d2l 4.5's concise form: only the weights are decayed.
      if (name.startsWith('W')) sgdWeightDecay(params[name].data, grad.data, lr, weightDecay);
      else sgdUpdate(params[name].data, grad.data, lr);
    }
    return { lossSum, correct };
  },
  forward(spec, params, x, rows) {
    const acts = mlpActivations(spec, params, x, rows, null);
    return acts[acts.length - 1];
  },
};
