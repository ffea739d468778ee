/**
 * Concise MLP (d2l 4.3, with 4.5's weight decay and 4.6's dropout), written the way a PyTorch user would:
 *   net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(p), nn.Linear(256, 10))
 *   loss = nn.CrossEntropyLoss(); trainer = torch.optim.SGD([{weights, weight_decay: wd}, {biases}], lr)
 *   l = loss(net(X), y); l.backward(); trainer.step()
 * buildSequential fuses each Linear with its ReLU and Dropout into one block (model/layers.ts), so a step is
 * 2 (loss, accuracy) + 2 per layer (forward, bias gradient) + 1 per layer (weight gradient) + 1 per layer above
 * the first (input gradient) dispatches; the step lists every W and b as trainables, and the trainer's optimizer
 * (src/optim: plain SGD, 2 dispatches per layer) updates them after it. The `weightDecay` option is the
 * optimizer's weight decay on the weights (`weightDecay` below).
 */
import { argmaxAccuracy } from '../kernels/argmax_accuracy.js';
import { buildSequential, CrossEntropyLoss } from './layers.js';
import { type LayerDecl, nn } from '../nn/declare.js';
import { layerSizes, mlpFrame, mlpModel, optionsOf } from './mlp.js';
import type { ModelDefinition, ModelSpec } from './model.js';
import { mlpReference } from '../reference/mlp.js';

/** The network of a spec: Flatten, then Linear, ReLU (and Dropout when p > 0) per hidden layer, then the output Linear. */
export function mlpLayers(spec: ModelSpec): LayerDecl[] {
  const sizes = layerSizes(spec);
  const { dropout } = optionsOf(spec);
  const layers: LayerDecl[] = [nn.Flatten()];
  for (let l = 1; l < sizes.length; l++) {
    layers.push(nn.Linear(sizes[l - 1], sizes[l]));
    if (l < sizes.length - 1) {
      layers.push(nn.ReLU());
      if (dropout[l - 1] > 0) layers.push(nn.Dropout(dropout[l - 1]));
    }
  }
  return layers;
}

export const mlpConciseModel: ModelDefinition = {
  ...mlpModel({
  kind: 'mlp',
  summary: 'MLP from layers: Sequential(Flatten, Linear, ReLU, [Dropout,] Linear) + CrossEntropyLoss + SGD with weight decay (d2l 4.3, 4.5, 4.6)',
  createStep: (gpu, spec, p, ctx) =>
    mlpFrame(gpu, spec, ctx, 'fused dense layers', async (io) => {
      const B = ctx.maxRows;
      const L = layerSizes(spec).length - 1;
      const values = Array.from({ length: L }, (_, i) => ({ weight: p[`W${i + 1}`], bias: p[`b${i + 1}`] }));
      const input = { images: ctx.train.images, labels: ctx.train.labels, order: ctx.order, y: io.y };
      const { net, blocks } = await buildSequential(gpu, mlpLayers(spec), { input, maxRows: B, values, seed: ctx.seed, training: true, tiles: ctx.tuning.dense });
      const loss = await CrossEntropyLoss.create(gpu, B, spec.classes, io.lossSum);
      const accuracy = await argmaxAccuracy.create(gpu, { N: spec.classes }, { rows: B });
      const accuracyGroup = accuracy.bind({ logits: blocks[L - 1].output, y: io.y, predictions: io.predictions, correct: io.correct });
      return {
        bytes: net.bytes + loss.bytes,
        // Under the checkpoint's names (the optimizer's state is named after them): weights decay, biases do not.
        trainables: blocks.flatMap((block, i) => [
          { ...block.weight, name: `W${i + 1}` },
          { ...block.bias, name: `b${i + 1}` },
        ]),
        encode(pass, step) {
          const logits = net.forward(pass, input.images, step);
          loss.forward(pass, logits, io.y, step);
          accuracy.encode(pass, accuracyGroup, step);
          net.backward(pass, loss.backward(), step);
        },
        destroy() {
          net.destroy();
          loss.destroy();
        },
      };
    }),
  }),
  reference: mlpReference,
  // d2l 4.5's weight decay, as torch.optim.SGD([{weights, weight_decay: wd}, {biases}]): the optimizer's, on the trainables marked decay.
  weightDecay: (spec) => optionsOf(spec).weightDecay,
};
