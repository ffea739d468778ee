import { evaluate, fit, sheetFromEvaluation } from 'webgpu-softmax';
import { createNodeGpu, FashionMNIST, saveCheckpoint, writePng } from 'webgpu-softmax/node';

const train = await FashionMNIST.load({ train: true, download: true }); // 60,000 images, u8
const test = await FashionMNIST.load({ train: false, download: true }); // 10,000
const gpu = await createNodeGpu(); // dawn.node; lavapipe where there is no GPU
const result = await fit(gpu, { train, test }, { model: 'scratch', epochs: 5 }, {
  onEpoch: (r) => console.log(`epoch ${r.epoch}, loss ${r.loss.toFixed(4)}, test acc ${r.testAccuracy?.toFixed(3)}`),
});
const evaluation = await evaluate(gpu, test, result.checkpoint); // = result.test, from the checkpoint alone
console.log(`test loss ${evaluation.loss.toFixed(4)}, test acc ${evaluation.accuracy.toFixed(3)}`);
saveCheckpoint('runs/quickstart', result.checkpoint); // `webgpu-softmax eval --model runs/quickstart` reads it
await writePng('runs/quickstart/predictions.png', sheetFromEvaluation(test, evaluation));
gpu.device.destroy();
