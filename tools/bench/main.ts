/**
 * `npm run bench`: softmax regression on Fashion-MNIST (d2l defaults: batch 256, lr 0.1, W ~ N(0, 0.01²)) trained
 * by every contender in ONE run: ours under three orchestrations, the CPU reference, TensorFlow.js (webgpu on the
 * same dawn.node adapter, and wasm), and PyTorch on the CPU. After a warm-up epoch each, the timed epochs go round
 * the contenders in a rotating order, so drift of the machine's speed falls on all of them alike.
 * Prints a markdown table (median seconds per epoch, samples/s, GFLOP/s, final loss, test accuracy, ratio to
 * ours) and the targets of the performance issue; --json PATH writes the same numbers.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { formatProfile } from '../../src/cli/format.js';
import { ChildContender } from './child.js';
import { type BenchData, type Contender, type EpochResult, loadBenchData, peakRssMB } from './contender.js';
import { OursContender, ReferenceContender } from './ours.js';
import { isolatedPeer, type PeerOptions } from './peers.js';
import { formatSweep, sweepFusedShapes } from './sweep.js';
import { runMlpBench } from './mlp.js'; // the mlp section (issue 15)

// The model sections this bench knows, with what each trains; `--list-models` prints the names, one a line
// (tools/gpu-bench/run runs the bench once per name). A new model adds its entry here and its contenders below.
const MODELS: Record<string, string> = {
  softmax: 'softmax regression 784 -> 10 (d2l 3.6)',
  mlp: 'MLP 784 -> 256 -> 10, ReLU (d2l 4.3), its own peers (tools/bench/mlp.ts)',
  lenet: 'LeNet, sigmoid and average pooling (d2l 6.6), its own peers (tools/bench/lenet.ts)',
};

const USAGE = `usage: npm run bench -- [flags]

  --model NAME      which model to train: ${Object.keys(MODELS).join(', ')} (default softmax; --list-models)
  --list-models     print the model names this bench knows, one a line, and exit
  --epochs N        timed epochs per contender after one warm-up epoch (default 3)
  --quick           smoke run: 1 timed epoch, no warm-up, 6,000 training samples
  --only A,B        contenders whose name contains any of these words (e.g. ours,wasm)
  --no-peers        only our own contenders
  --no-reference    leave out the CPU reference trainer (slowest)
  --train-count N   training samples (default all 60,000)
  --profile         also time every kernel of one epoch of ours (timestamp queries)
  --device cpu|cuda PyTorch's device, or both (cpu,cuda): one PyTorch contender each
  --threads N       PyTorch's CPU threads (default 1: steadiest on a 2-core machine)
  --compile         PyTorch: also try torch.compile
  --json PATH       write the results as JSON
  --sweep           instead of the contenders: time the fused softmax kernels' shapes on this adapter, print the best
                    (1 warm-up + --epochs timed epochs per candidate; --quick: 1 epoch on 6,000 samples)
  --sweep-forward-workgroups A,B   --sweep-rows A,B   --sweep-update-workgroups A,B
                    the candidates (default: a set for the adapter's kind, CPU driver or GPU)
  -h, --help        this help`;

// Forward x·W and backward xᵀ·dlogits, 2·784·10 flops per sample each (the issue's count).
const FLOP_PER_SAMPLE = 2 * 2 * 784 * 10;

interface Row {
  name: string;
  adapter: string | null;
  notes: string | null;
  skipped: boolean;
  epochs: EpochResult[];
  medianSeconds: number;
  samplesPerSecond: number;
  gflops: number;
  finalLoss: number;
  testAccuracy: number;
  ratioToOurs: number;
  rssMB: number | null;
  gpuBufferMB: number | null;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function contenders(flags: { peers: boolean; reference: boolean; only: string[] }, peer: PeerOptions, devices: Array<'cpu' | 'cuda'>): Contender[] {
  const all: Contender[] = [
    new OursContender('ours (default: fused kernels, ~10 submits/epoch)'),
    // The straightforward orchestration: one kernel per stage (the scratch model) and one submit per step.
    new OursContender('ours (straightforward: separate kernels, one submit per step)', { modelOptions: { kernels: 'separate' }, stepsPerSubmit: 1 }),
    // Fused kernels but one submit per step: separates what fusion buys from what batching submits buys.
    new OursContender('ours (fused kernels, one submit per step)', { modelOptions: { kernels: 'fused' }, stepsPerSubmit: 1 }),
  ];
  if (flags.reference) all.push(new ReferenceContender());
  if (flags.peers) all.push(isolatedPeer('tfjs-webgpu'), isolatedPeer('tfjs-wasm'), ...devices.map((device) => isolatedPeer('pytorch', { ...peer, device })));
  const keep = (c: Contender) => flags.only.length === 0 || flags.only.some((w) => c.name.toLowerCase().includes(w.toLowerCase()));
  return all.filter((c, i) => i === 0 || keep(c)); // ours default always runs: everything is compared with it
}

async function main(): Promise<number> {
  // LeNet (issue 12) has its own driver, with its own flags: `npm run bench -- lenet [--activation relu ...]`.
  if (process.argv[2] === 'lenet') return (await import('./lenet.js')).lenetBench(process.argv.slice(3));
  const { values } = parseArgs({
    options: {
      epochs: { type: 'string', default: '3' },
      quick: { type: 'boolean' },
      only: { type: 'string' },
      'no-peers': { type: 'boolean' },
      'no-reference': { type: 'boolean' },
      'train-count': { type: 'string' },
      profile: { type: 'boolean' },
      device: { type: 'string', default: 'cpu' },
      threads: { type: 'string', default: '1' },
      compile: { type: 'boolean' },
      json: { type: 'string' },
      model: { type: 'string', default: 'softmax' },
      'list-models': { type: 'boolean' },
      sweep: { type: 'boolean' },
      'sweep-forward-workgroups': { type: 'string' },
      'sweep-rows': { type: 'string' },
      'sweep-update-workgroups': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values['list-models']) {
    console.log(Object.keys(MODELS).join('\n'));
    return 0;
  }
  if (!(values.model in MODELS)) throw new Error(`unknown --model ${values.model}: this bench knows ${Object.keys(MODELS).join(', ')} (see --help)`);
  const devices = values.device.split(',');
  if (devices.length === 0 || devices.some((d) => d !== 'cpu' && d !== 'cuda')) throw new Error(`--device takes cpu, cuda or cpu,cuda, not ${values.device} (see --help)`);
  const timedEpochs = values.quick ? 1 : Number(values.epochs);
  if (!Number.isInteger(timedEpochs) || timedEpochs < 1) throw new Error(`--epochs needs a whole number >= 1 (see --help)`);
  const warmup = values.quick ? 0 : 1;
  const trainCount = values['train-count'] ? Number(values['train-count']) : values.quick ? 6000 : undefined;
  // The mlp section (issue 15): its own contenders, peers and table, in tools/bench/mlp.ts.
  if (values.model === 'lenet') {
    const args = ['--epochs', String(timedEpochs), '--warmup', String(warmup), ...(trainCount ? ['--train-count', String(trainCount)] : []), ...(values['no-peers'] ? ['--no-peers'] : []), ...(values.json ? ['--json', values.json] : [])];
    return (await import('./lenet.js')).lenetBench(args, devices as Array<'cpu' | 'cuda'>);
  }
  if (values.model === 'mlp') return runMlpBench({ epochs: timedEpochs, warmup, trainCount, peers: !values['no-peers'], only: values.only ? values.only.split(',') : [], threads: Number(values.threads), json: values.json, devices: devices as Array<'cpu' | 'cuda'> });
  const data: BenchData = await loadBenchData({ trainCount });
  if (values.sweep) {
    const list = (flag: string) => (values[flag as keyof typeof values] as string | undefined)?.split(',').map(Number);
    const result = await sweepFusedShapes(data, {
      epochs: timedEpochs,
      forwardWorkgroups: list('sweep-forward-workgroups'),
      rows: list('sweep-rows'),
      updateWorkgroups: list('sweep-update-workgroups'),
    });
    console.log(formatSweep(result));
    if (values.json) {
      writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), node: process.version, ...result }, null, 2));
      console.error(`wrote ${values.json}`);
    }
    return 0;
  }
  const list = contenders(
    { peers: !values['no-peers'], reference: !values['no-reference'], only: values.only ? values.only.split(',') : [] },
    { threads: Number(values.threads), compile: values.compile },
    devices as Array<'cpu' | 'cuda'>,
  );

  // Lavapipe, tfjs-wasm and PyTorch-CPU all run on the host CPU, so its model decides every figure here.
  const host = `${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}`;
  console.error(`bench on ${host}`);
  console.error(`bench: model ${values.model}, ${data.trainCount} training samples, batch ${data.batchSize}, lr ${data.lr}, ${warmup} warm-up + ${timedEpochs} timed epochs, ${list.length} contenders`);
  for (const c of list) {
    console.error(`setting up ${c.name}...`);
    await c.setup(data);
  }
  const active = list.filter((c) => !c.skipped);
  const results = new Map<Contender, EpochResult[]>(active.map((c) => [c, []]));
  for (let e = 0; e < warmup + timedEpochs; e++) {
    // Rotate who goes first so no contender always runs right after the same neighbour.
    for (let k = 0; k < active.length; k++) {
      const c = active[(k + e) % active.length];
      const r = await c.trainEpoch(e);
      if (e >= warmup) results.get(c)!.push(r);
      console.error(`  epoch ${e + 1}${e < warmup ? ' (warm-up)' : ''} ${c.name}: ${r.seconds.toFixed(3)} s, loss ${r.loss.toFixed(4)}`);
    }
  }

  if (values.profile) {
    const ours = active[0] as OursContender;
    const times = await ours.profileEpoch(warmup + timedEpochs);
    console.log(`\nGPU time per kernel, one epoch of ${ours.name}:\n${formatProfile(times)}\n`);
  }

  const rows: Row[] = [];
  for (const c of list) {
    const epochs = results.get(c) ?? [];
    const testAccuracy = c.skipped ? NaN : await c.testAccuracy();
    await c.dispose();
    const medianSeconds = median(epochs.map((r) => r.seconds));
    rows.push({
      name: c.name,
      adapter: c.adapter ?? null,
      notes: c.notes ?? null,
      skipped: Boolean(c.skipped),
      epochs,
      medianSeconds,
      samplesPerSecond: data.trainCount / medianSeconds,
      gflops: (FLOP_PER_SAMPLE * data.trainCount) / medianSeconds / 1e9,
      finalLoss: epochs.at(-1)?.loss ?? NaN,
      testAccuracy,
      ratioToOurs: NaN,
      rssMB: c instanceof ChildContender ? (c.rssMB ?? null) : null,
      gpuBufferMB: c instanceof OursContender ? c.gpuBytes / 2 ** 20 : null,
    });
  }
  const oursSeconds = rows[0].medianSeconds;
  for (const r of rows) r.ratioToOurs = r.medianSeconds / oursSeconds;
  const driverRss = peakRssMB();

  const fmt = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const table = [
    '| contender | s/epoch (median) | samples/s | GFLOP/s | final train loss | test acc | x ours | peak RSS MB | notes |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map((r) =>
      r.skipped
        ? `| ${r.name} | - | - | - | - | - | - | - | ${r.notes ?? 'skipped'} |`
        : `| ${r.name} | ${fmt(r.medianSeconds, 3)} | ${fmt(r.samplesPerSecond, 0)} | ${fmt(r.gflops, 2)} | ${fmt(r.finalLoss, 4)} | ${fmt(r.testAccuracy, 3)} | ${fmt(r.ratioToOurs, 2)} | ${r.rssMB ?? `${driverRss} (driver)`} | ${[r.adapter, r.notes, r.gpuBufferMB !== null ? `GPU buffers ${r.gpuBufferMB.toFixed(1)} MB` : null].filter(Boolean).join('; ')} |`,
    ),
  ];
  console.log(`${host}, node ${process.version}, ${new Date().toISOString()}\n`);
  console.log(table.join('\n'));

  // The performance issue's targets, as ratios measured in this run.
  const find = (word: string) => rows.find((r) => !r.skipped && r.name.includes(word));
  const targets: Array<[string, Row | undefined, number]> = [
    ['ours <= 0.1x tfjs-webgpu (same adapter)', find('tfjs-webgpu'), 0.1],
    ['ours faster than tfjs-wasm', find('tfjs-wasm'), 1],
    ['ours <= 2x PyTorch (moonshot)', find('pytorch'), 2],
    ['ours <= 0.5x the straightforward orchestration', find('straightforward'), 0.5],
    ['(for reference) ours vs fused kernels with one submit per step', find('fused kernels, one submit'), 1],
  ];
  console.log('\ntargets:');
  for (const [what, peer, limit] of targets) {
    if (!peer) {
      console.log(`- ${what}: not measured (contender absent or skipped)`);
      continue;
    }
    const ratio = oursSeconds / peer.medianSeconds;
    console.log(`- ${what}: ours/peer = ${ratio.toFixed(3)} -> ${ratio <= limit ? 'met' : 'NOT met'}`);
  }
  const lossGap = find('tfjs-webgpu') ? Math.abs(rows[0].finalLoss - find('tfjs-webgpu')!.finalLoss) : NaN;
  if (Number.isFinite(lossGap)) console.log(`- same final train loss as tfjs-webgpu (±0.005): |Δ| = ${lossGap.toFixed(4)} -> ${lossGap <= 0.005 ? 'met' : 'NOT met'}`);

  if (values.json) {
    writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: host, model: values.model, adapter: rows[0].adapter, trainCount: data.trainCount, batchSize: data.batchSize, lr: data.lr, warmup, timedEpochs, driverRssMB: driverRss, rows }, null, 2));
    console.error(`wrote ${values.json}`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
