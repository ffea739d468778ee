/**
 * `npm run bench -- lenet [flags]` (or `npm run bench:lenet`): the LeNet section of the benchmark (issue 12).
 * Ours (the lenet model's kernels on the local WebGPU adapter) against PyTorch on the CPU (tools/bench/pytorch_lenet.py,
 * 1 thread) and TensorFlow.js-webgpu on the same adapter (tfjs_nets.ts's lenetNet, a custom loop, its own process),
 * same network, initialisation family, batch and lr; each timed epoch goes round the contenders in a rotating
 * order. Prints seconds per epoch, GFLOP/s (the count below), GPU buffer memory and the target.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatProfile } from '../../src/cli/format.js';
import { ChildContender } from './child.js';
import { type Contender, type EpochResult, loadBenchData } from './contender.js';
import { OursContender } from './ours.js';
import { BENCH_PYTHON } from './peers.js';

const USAGE = `usage: npm run bench -- lenet [flags]

  --epochs N          timed epochs per contender after the warm-up (default 1)
  --warmup N          untimed epochs first (default 1: the first epoch also compiles the kernels)
  --train-count N     training samples (default all 60,000)
  --activation A      sigmoid (default, lr 0.9) or relu (lr 0.1)
  --pool P            avg (default) or max
  --no-peers          only ours (the peers: PyTorch CPU, TensorFlow.js-webgpu)
  --only A,B          contenders whose name contains any of these words (e.g. ours,pytorch: a 10-epoch run
                      without tfjs-webgpu, whose LeNet epoch takes minutes on lavapipe)
  --profile           also time every kernel of one epoch of ours (timestamp queries)
  --json PATH         write the results as JSON
  -h, --help          this help`;

/**
 * Multiply-adds x2 per sample of LeNet on 1x28x28 (forward; each layer's weight gradient costs the same again,
 * and each input gradient too except conv1's, which is not computed):
 *   conv1 6·28·28·25 = 117,600   conv2 16·10·10·150 = 240,000   fc1 400·120 = 48,000   fc2 120·84 = 10,080
 *   fc3 84·10 = 840  ->  forward 416,520 MACs; forward + both backward = 3 · 416,520 - 117,600 = 1,131,960 MACs
 * = 2.264 MFLOP per sample, 135.8 GFLOP per 60,000-sample epoch (pooling, activations, loss and SGD not counted).
 */
export const LENET_FLOP_PER_SAMPLE = 2 * (3 * 416_520 - 117_600);

function pytorchLenet(activation: string, pool: string, device: 'cpu' | 'cuda'): Contender {
  let script = fileURLToPath(new URL('./pytorch_lenet.py', import.meta.url));
  if (!existsSync(script)) script = fileURLToPath(new URL('../../../tools/bench/pytorch_lenet.py', import.meta.url));
  return new ChildContender(`pytorch-${device} lenet`, { command: BENCH_PYTHON, args: [script, `--device=${device}`, '--threads=1', `--activation=${activation}`, `--pool=${pool}`], optional: true });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** `devices`: PyTorch's devices (the main bench's --device), one peer each. */
export async function lenetBench(argv: string[], devices: Array<'cpu' | 'cuda'> = ['cpu']): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      epochs: { type: 'string', default: '1' },
      warmup: { type: 'string', default: '1' },
      'train-count': { type: 'string' },
      activation: { type: 'string', default: 'sigmoid' },
      pool: { type: 'string', default: 'avg' },
      'no-peers': { type: 'boolean' },
      only: { type: 'string' },
      profile: { type: 'boolean' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const activation = values.activation!;
  const pool = values.pool!;
  const lr = activation === 'relu' ? 0.1 : 0.9;
  const timed = Number(values.epochs);
  const warmup = Number(values.warmup);
  const ours = new OursContender(`ours lenet (${activation}, ${pool}-pool)`, { model: 'lenet', modelOptions: { activation, pool } });
  const runPeer = fileURLToPath(new URL('./run-net-peer.js', import.meta.url));
  const tfjs = new ChildContender(`tfjs-webgpu lenet (${activation}, ${pool}-pool) (custom loop)`, {
    command: process.execPath,
    args: [runPeer, '--model=lenet', `--activation=${activation}`, `--pool=${pool}`],
    optional: true,
  });
  const only = values.only ? values.only.split(',').filter(Boolean) : [];
  const list: Contender[] = [ours, ...(values['no-peers'] ? [] : [...devices.map((device) => pytorchLenet(activation, pool, device)), tfjs])].filter(
    (c) => only.length === 0 || only.some((word) => c.name.includes(word)),
  );
  if (list.length === 0) {
    console.error(`--only ${values.only}: no contender's name contains any of these words`);
    return 2;
  }
  const data = await loadBenchData({ trainCount: values['train-count'] ? Number(values['train-count']) : undefined, lr });
  const host = `${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}`;
  console.error(`bench lenet on ${host}: ${data.trainCount} training samples, batch ${data.batchSize}, lr ${lr}, ${warmup} warm-up + ${timed} timed epochs`);
  for (const c of list) {
    console.error(`setting up ${c.name}...`);
    await c.setup(data);
  }
  const active = list.filter((c) => !c.skipped);
  const results = new Map<Contender, EpochResult[]>(active.map((c) => [c, []]));
  for (let e = 0; e < warmup + timed; e++) {
    for (let k = 0; k < active.length; k++) {
      const c = active[(k + e) % active.length];
      const r = await c.trainEpoch(e);
      if (e >= warmup) results.get(c)!.push(r);
      console.error(`  epoch ${e + 1}${e < warmup ? ' (warm-up)' : ''} ${c.name}: ${r.seconds.toFixed(2)} s, loss ${r.loss.toFixed(4)}, train acc ${r.trainAccuracy.toFixed(3)}`);
    }
  }
  if (values.profile && list.includes(ours)) console.log(`\nGPU time per kernel, one epoch of ours:\n${formatProfile(await ours.profileEpoch(warmup + timed))}\n`);
  const rows = [];
  for (const c of list) {
    const epochs = results.get(c) ?? [];
    const testAccuracy = c.skipped ? NaN : await c.testAccuracy();
    await c.dispose();
    const seconds = median(epochs.map((r) => r.seconds));
    rows.push({ name: c.name, skipped: Boolean(c.skipped), adapter: c.adapter ?? null, notes: c.notes ?? null, epochs, seconds, gflops: (LENET_FLOP_PER_SAMPLE * data.trainCount) / seconds / 1e9, testAccuracy, gpuBufferMB: c === ours ? ours.gpuBytes / 2 ** 20 : null });
  }
  const fmt = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  console.log(`${host}, node ${process.version}, ${new Date().toISOString()}\n`);
  console.log('| contender | s/epoch (median) | GFLOP/s | final train loss | train acc | test acc | notes |');
  console.log('|---|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    if (r.skipped) console.log(`| ${r.name} | - | - | - | - | - | ${r.notes ?? 'skipped'} |`);
    else console.log(`| ${r.name} | ${fmt(r.seconds, 2)} | ${fmt(r.gflops, 2)} | ${fmt(r.epochs.at(-1)?.loss ?? NaN, 4)} | ${fmt(r.epochs.at(-1)?.trainAccuracy ?? NaN, 3)} | ${fmt(r.testAccuracy, 3)} | ${[r.adapter, r.notes, r.gpuBufferMB !== null ? `GPU buffers ${r.gpuBufferMB.toFixed(1)} MiB` : null].filter(Boolean).join('; ')} |`);
  }
  const torch = rows.find((r) => r.name.startsWith('pytorch') && !r.skipped);
  console.log(`\n(${(LENET_FLOP_PER_SAMPLE / 1e6).toFixed(3)} MFLOP per sample: forward and both backward passes of the convolutions and dense layers)`);
  const oursRow = rows.find((r) => r.name === ours.name && !r.skipped);
  if (torch && oursRow) {
    const ratio = oursRow.seconds / torch.seconds;
    console.log(`target: ours <= 2x PyTorch CPU 1 thread: ours/PyTorch = ${ratio.toFixed(2)} -> ${ratio <= 2 ? 'met' : 'NOT met'}`);
  }
  const peer = rows.find((r) => r.name.startsWith('tfjs') && !r.skipped);
  if (peer && oursRow) console.log(`peer: ours/tfjs-webgpu (same adapter) = ${(oursRow.seconds / peer.seconds).toFixed(3)}`);
  if (values.json) writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), cpu: host, trainCount: data.trainCount, lr, activation, pool, warmup, timed, flopPerSample: LENET_FLOP_PER_SAMPLE, rows }, null, 2));
  return 0;
}
