/**
 * Concise softmax regression (d2l 3.7), written the way a PyTorch user would:
 *   net = Linear(784, 10); loss = CrossEntropyLoss(); trainer = SGD(net.parameters(), lr)
 *   l = loss(net(X), y); l.backward(); trainer.step()
 */
import type { Gpu } from '../gpu/device.js';
import { argmaxAccuracy } from '../kernels/argmax_accuracy.js';
import { CrossEntropyLoss, Linear, SGD } from './layers.js';
import type { ModelConfig, StepIo, TrainableModel } from './model.js';
import type { Parameters } from './parameters.js';

export async function createConciseModel(gpu: Gpu, io: StepIo, config: ModelConfig, init: Parameters): Promise<TrainableModel> {
  const { maxRows, features, classes, lr } = config;
  const net = await Linear.create(gpu, features, classes, maxRows, { weight: init.weights, bias: init.bias });
  const loss = await CrossEntropyLoss.create(gpu, maxRows, classes, io.lossSum);
  const trainer = await SGD.create(gpu, net.parameters(), lr);
  const accuracy = await argmaxAccuracy.create(gpu);
  const accuracyGroup = accuracy.bind({ logits: net.output, y: io.y, predictions: io.predictions, correct: io.correct });
  const dims = { rows: maxRows, features, classes };
  return {
    kind: 'concise',
    bytes: [net.weight.value, net.weight.grad, net.bias.value, net.bias.grad, net.output, loss.loss, loss.dlogits].reduce((n, buffer) => n + buffer.size, 0),
    weights: net.weight.value,
    bias: net.bias.value,
    encodeStep(pass, step) {
      const logits = net.forward(pass, io.x, step);
      loss.forward(pass, logits, io.y, step);
      accuracy.encode(pass, accuracyGroup, step, dims);
      net.backward(pass, loss.backward(), step);
      trainer.step(pass);
    },
    destroy() {
      net.destroy();
      loss.destroy();
      trainer.destroy();
    },
  };
}
