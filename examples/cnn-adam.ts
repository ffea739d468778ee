/**
 * A network written in code, as a PyTorch user writes it, trained with Adam through `fit`; its checkpoint alone
 * rebuilds it in another process (no registration step):
 *   node dist/examples/cnn-adam.js train runs/cnn [--epochs N] [--limit N]   trains, saves, prints the test accuracy
 *   node dist/examples/cnn-adam.js eval runs/cnn                              loads, evaluates, prints it again
 */
import { evaluate, fit, nn, optim } from 'webgpu-softmax';
import { createNodeGpu, FashionMNIST, loadCheckpoint, saveCheckpoint } from 'webgpu-softmax/node';

const [command, dir, ...flags] = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const at = flags.indexOf(`--${name}`);
  return at >= 0 ? Number(flags[at + 1]) : fallback;
};
if ((command !== 'train' && command !== 'eval') || !dir) {
  console.error('usage: cnn-adam.js train DIR [--epochs N] [--limit N] | eval DIR');
  process.exit(2);
}

const net = nn.Sequential(
  nn.Conv2d(1, 8, 3, { padding: 1 }), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2), // [8, 14, 14]
  nn.Conv2d(8, 16, 3, { stride: 2, padding: 1 }), nn.BatchNorm2d(16), nn.ReLU(), // [16, 7, 7]
  nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10),
);

const test = await FashionMNIST.load({ train: false, download: true });
const gpu = await createNodeGpu();
if (command === 'train') {
  const train = await FashionMNIST.load({ train: true, download: true });
  const result = await fit(gpu, { train, test }, { model: net, optimizer: optim.Adam({ lr: 0.01 }), epochs: flag('epochs', 2), limit: flag('limit', 60_000), batchSize: 128 }, {
    onEpoch: (r) => console.log(`epoch ${r.epoch}, loss ${r.loss.toFixed(4)}, train acc ${r.trainAccuracy.toFixed(3)}, test acc ${r.testAccuracy?.toFixed(3)}`),
  });
  saveCheckpoint(dir, result.checkpoint);
  console.log(`test acc ${result.test.accuracy.toFixed(4)}`);
} else {
  const evaluation = await evaluate(gpu, test, loadCheckpoint(dir));
  console.log(`test acc ${evaluation.accuracy.toFixed(4)}`);
}
gpu.device.destroy();
