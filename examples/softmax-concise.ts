/**
 * Concise softmax regression (d2l 3.7), written against the public API of webgpu-softmax.
 *
 *   npm run build && node dist/examples/softmax-concise.js [--epochs 5] [--limit N] [--kernels separate] [--out DIR]
 *
 * What runs where. The 'concise' model is the book's network as the book declares it,
 * `nn.Sequential(nn.Flatten(), nn.Linear(784, 10))` (the package's `nn`), trained with `CrossEntropyLoss`
 * (log-sum-exp, numerically stable) and `SGD` (src/model/concise.ts): each training step is
 *   l = loss(net(X), y); l.backward(); trainer.step()
 * recorded once per step into the epoch's command buffers. This example trains it with `--kernels separate` by
 * default, so the network's layer kernels run (the Linear's forward, the loss, the Linear's weight and bias
 * gradients, then the optimizer's update); `--kernels fused` (the CLI's default) computes the same step in two
 * fused kernels. The figures equal `webgpu-softmax train --model concise` with the same settings and kernels.
 */
import { FashionMNIST, createNodeGpu, writePng } from 'webgpu-softmax/node';
import { conciseModel, describeModel, fashionMnistSpec, fit, parameterCount, sheetFromEvaluation } from 'webgpu-softmax';
import { exampleOptions } from './options.js';

const { epochs, limit, out, kernels = 'separate' } = exampleOptions();

// 3.5 The dataset.
const { train, test } = await FashionMNIST.splits();
console.log(`${train.length} training and ${test.length} test images from ${train.source}`);

// 3.7.1 net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10)), weights ~ N(0, 0.01²), bias 0.
const spec = fashionMnistSpec('concise', { kernels });
console.log(`net: Sequential(Flatten(), Linear(in_features=784, out_features=10)), ${parameterCount(conciseModel.init(spec, 0))} parameters (${describeModel(spec)})`);

// 3.7.2 loss = nn.CrossEntropyLoss(), 3.7.3 trainer = torch.optim.SGD(net.parameters(), lr=0.1): made by the model
// for each run, with the learning rate given here.
const lr = 0.1;

// 3.7.4 train_ch3(net, train_iter, test_iter, loss, num_epochs, trainer), on the GPU.
const gpu = await createNodeGpu();
const result = await fit(
  gpu,
  { train, test },
  { model: spec, epochs, lr, batchSize: 256, seed: 0, limit },
  {
    onStart: (info) => console.log(`${info.summary}: ${info.stepsPerEpoch} steps and ${info.dispatchesPerEpoch} dispatches per epoch`),
    onEpoch: (r) => console.log(`epoch ${r.epoch}, loss ${r.loss.toFixed(4)}, train acc ${r.trainAccuracy.toFixed(3)}, test acc ${r.testAccuracy?.toFixed(3)}`),
  },
);
console.log(`test loss ${result.test.loss.toFixed(4)}, test acc ${result.test.accuracy.toFixed(3)} (${result.test.samples} samples)`);
if (out) {
  await writePng(`${out}/predictions.png`, sheetFromEvaluation(test, result.test));
  console.log(`prediction sheet: ${out}/predictions.png`);
}
gpu.device.destroy();
