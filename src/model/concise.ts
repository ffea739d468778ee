/**
 * Concise softmax regression (d2l 3.7), written the way a PyTorch user would:
 *   net = Sequential(Linear(784, 10)); loss = CrossEntropyLoss(); trainer = SGD(net.parameters(), lr)
 *   l = loss(net(X), y); l.backward(); trainer.step()
 * The step lists W and b with their gradients as trainables; the trainer's optimizer (src/optim: plain SGD, the
 * book's, or any other) updates them after it. Its fused path computes the same step with CrossEntropyLoss's
 * log-sum-exp form and plain SGD in its own kernel.
 */
import { argmaxAccuracy } from '../kernels/argmax_accuracy.js';
import { CrossEntropyLoss, Linear, Sequential } from './layers.js';
import { pixelsOf } from './model.js';
import { softmaxModel } from './softmax_regression.js';

/** d2l 3.7: softmax regression from layer objects. */
export const conciseModel = softmaxModel({
  kind: 'concise',
  summary: 'softmax regression from layers: Linear + CrossEntropyLoss (log-sum-exp) + SGD objects (d2l 3.7)',
  stableLoss: true,
  async separate(gpu, spec, p, io, ctx) {
    const B = ctx.maxRows;
    const linear = await Linear.create(gpu, pixelsOf(spec.input), spec.classes, B, { weight: p.W, bias: p.b }, ctx.tuning.dense);
    const net = new Sequential(linear);
    const loss = await CrossEntropyLoss.create(gpu, B, spec.classes, io.lossSum);
    const accuracy = await argmaxAccuracy.create(gpu, { N: spec.classes }, { rows: B });
    const accuracyGroup = accuracy.bind({ logits: linear.output, y: io.y, predictions: io.predictions, correct: io.correct });
    return {
      bytes: net.bytes + loss.bytes,
      // Under the checkpoint's names (the optimizer's state is named after them).
      trainables: [
        { ...linear.weight, name: 'W' },
        { ...linear.bias, name: 'b' },
      ],
      encode(pass, step) {
        const logits = net.forward(pass, io.x, step);
        loss.forward(pass, logits, io.y, step);
        accuracy.encode(pass, accuracyGroup, step);
        net.backward(pass, loss.backward(), step);
      },
      destroy() {
        net.destroy();
        loss.destroy();
      },
    };
  },
});
