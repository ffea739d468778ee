/**
 * Softmax regression from scratch (d2l 3.6), written against the public API of webgpu-softmax.
 *
 *   npm run build && node dist/examples/softmax-scratch.js [--epochs 5] [--limit N] [--kernels auto] [--out DIR]
 *
 * What runs where. The book's functions below (softmax, net, crossEntropy, accuracy) run on the CPU, written out as
 * the book writes them; they judge the model before and after training. Training (the book's train_ch3) runs on the
 * GPU: `fit()` records each minibatch step as WGSL compute shaders computing the same formulas (one kernel per
 * function with `--kernels separate`; by default two fused kernels per step), and reads back only each epoch's loss
 * and accuracy. The figures equal `webgpu-softmax train --model scratch` with the same settings.
 */
import { FashionMNIST, createNodeGpu, writePng } from 'webgpu-softmax/node';
import { fashionMnistSpec, fit, type Parameters, predict, scratchModel, sheetFromEvaluation } from 'webgpu-softmax';
import { exampleOptions } from './options.js';

const { epochs, limit, out, kernels = 'auto' } = exampleOptions();

// 3.5 The dataset: 60,000 training and 10,000 test images of 28x28 u8 pixels, 10 classes.
// (FashionMNIST.load({ train: false }) gives one split, as torchvision's FashionMNIST(root, train=False) does.)
const { train, test } = await FashionMNIST.splits();
console.log(`${train.length} training and ${test.length} test images from ${train.source}; classes: ${train.classes.join(', ')}`);

// 3.6.1 The parameters: W ~ N(0, 0.01²) of [784, 10] and b = 0 of [10]. Images are flattened to 784 pixels.
const numInputs = 784;
const numOutputs = 10;
const spec = fashionMnistSpec('scratch', { kernels });
const params: Parameters = scratchModel.init(spec, 0); // torch.normal(0, 0.01, size=(784, 10)), torch.zeros(10), seed 0
const W = params.W.data;
const b = params.b.data;
const mean = W.reduce((s, w) => s + w, 0) / W.length;
const std = Math.sqrt(W.reduce((s, w) => s + (w - mean) ** 2, 0) / W.length);
console.log(`W: [${params.W.shape.join(', ')}], mean ${mean.toFixed(5)}, std ${std.toFixed(5)}; b: [${params.b.shape.join(', ')}], zeros`);

// 3.6.2 softmax(X)_ij = exp(X_ij) / Σ_k exp(X_ik), row by row (X: [rows, cols], row-major).
function softmax(X: Float32Array, cols: number): Float32Array {
  const out = new Float32Array(X.length);
  for (let r = 0; r < X.length / cols; r++) {
    let partition = 0;
    for (let c = 0; c < cols; c++) partition += (out[r * cols + c] = Math.exp(X[r * cols + c]));
    for (let c = 0; c < cols; c++) out[r * cols + c] /= partition;
  }
  return out;
}

// 3.6.3 The model: net(X) = softmax(X·W + b), pixels scaled to 0..1 (ToTensor).
function net(images: Uint8Array, p: Parameters): Float32Array {
  const [w, bias] = [p.W.data, p.b.data];
  const rows = images.length / numInputs;
  const logits = new Float32Array(rows * numOutputs);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < numOutputs; c++) {
      let sum = bias[c];
      for (let k = 0; k < numInputs; k++) sum += (images[r * numInputs + k] / 255) * w[k * numOutputs + c];
      logits[r * numOutputs + c] = sum;
    }
  }
  return softmax(logits, numOutputs);
}

// 3.6.4 The loss: crossEntropy(ŷ, y)_i = -log ŷ[i, y_i].
function crossEntropy(yHat: Float32Array, y: Uint8Array): Float32Array {
  return Float32Array.from(y, (label, i) => -Math.log(yHat[i * numOutputs + label]));
}

// 3.6.5 Accuracy: how many argmax ŷ[i] equal y_i.
function accuracy(yHat: Float32Array, y: Uint8Array): number {
  let correct = 0;
  for (let i = 0; i < y.length; i++) {
    const row = yHat.subarray(i * numOutputs, (i + 1) * numOutputs);
    if (row.indexOf(Math.max(...row)) === y[i]) correct++;
  }
  return correct;
}

const before = net(test.images, params);
const loss0 = crossEntropy(before, test.labels).reduce((s, l) => s + l, 0) / test.length;
console.log(`untrained, on the CPU: test loss ${loss0.toFixed(4)}, test acc ${(accuracy(before, test.labels) / test.length).toFixed(3)} (chance is 0.1)`);

// 3.6.6 Training: train_ch3 on the GPU, lr 0.1, batch 256, from the parameters above.
const gpu = await createNodeGpu();
const result = await fit(
  gpu,
  { train, test },
  { model: spec, params, epochs, lr: 0.1, batchSize: 256, limit },
  {
    onEpoch: (r) => console.log(`epoch ${r.epoch}, loss ${r.loss.toFixed(4)}, train acc ${r.trainAccuracy.toFixed(3)}, test acc ${r.testAccuracy?.toFixed(3)}`),
  },
);
console.log(`test loss ${result.test.loss.toFixed(4)}, test acc ${result.test.accuracy.toFixed(3)} (${result.test.samples} samples)`);

// The CPU functions agree with the GPU on the trained parameters.
const trained = result.checkpoint.params;
const after = net(test.images, trained);
console.log(`trained, on the CPU: test acc ${(accuracy(after, test.labels) / test.length).toFixed(3)}`);

// 3.6.7 Prediction: the first 6 test images, true label and predicted label (probabilities from the GPU).
const n = 6;
const predicted = await predict(gpu, result.checkpoint, test.images.subarray(0, n * numInputs));
for (let i = 0; i < n; i++) {
  const { label } = test.get(i);
  const guess = predicted.labels[i];
  const p = predicted.probabilities[i * numOutputs + guess];
  console.log(`image ${i}: ${test.classes[label]} -> ${test.classes[guess]} (${p.toFixed(2)})${guess === label ? '' : '  wrong'}`);
}
if (out) {
  await writePng(`${out}/predictions.png`, sheetFromEvaluation(test, result.test));
  console.log(`prediction sheet: ${out}/predictions.png`);
}
gpu.device.destroy();
