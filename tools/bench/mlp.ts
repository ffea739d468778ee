/**
 * The MLP section of `npm run bench` (`npm run bench -- --model mlp`): d2l 4.3's MLP, 784-256-10 with ReLU, weights
 * N(0, 0.01²), zero biases, SGD lr 0.1, batch 256, trained by ours (the concise `mlp` model, and `mlp-scratch`)
 * and by its own peers: PyTorch on the CPU (pytorch_mlp.py) and TensorFlow.js webgpu on the same dawn.node
 * adapter (tfjs_nets.ts). As in the softmax section, a warm-up epoch each, then timed epochs round the
 * contenders in a rotating order; prints a markdown table and the issue's targets.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ChildContender } from './child.js';
import { type BenchData, type Contender, type EpochResult, loadBenchData, peakRssMB } from './contender.js';
import { OursContender } from './ours.js';
import { BENCH_PYTHON } from './peers.js';

/**
 * Flops per training sample: forward x·W1 and h·W2, backward dW1 = xᵀ·dZ1, dW2 = hᵀ·dlogits and dH = dlogits·W2ᵀ
 * (2 flops per multiply-add; the first layer has no input gradient): 2·(2·784·256 + 3·256·10).
 */
export const MLP_FLOP_PER_SAMPLE = 2 * (2 * 784 * 256 + 3 * 256 * 10);

export function mlpContenders(opts: { peers: boolean; only: string[]; threads: number; devices?: Array<'cpu' | 'cuda'> }): Contender[] {
  const all: Contender[] = [
    new OursContender('ours mlp (Sequential layers, fused dense kernels)', { model: 'mlp' }),
    new OursContender('ours mlp-scratch (relu and dropout kernels, backward written out)', { model: 'mlp-scratch' }),
  ];
  if (opts.peers) {
    const runPeer = fileURLToPath(new URL('./run-net-peer.js', import.meta.url));
    all.push(new ChildContender('tfjs-webgpu mlp (custom loop)', { command: process.execPath, args: [runPeer], optional: true }));
    let script = fileURLToPath(new URL('./pytorch_mlp.py', import.meta.url));
    if (!existsSync(script)) script = fileURLToPath(new URL('../../../tools/bench/pytorch_mlp.py', import.meta.url));
    for (const device of opts.devices ?? ['cpu']) {
      all.push(new ChildContender(`pytorch-${device} mlp`, { command: BENCH_PYTHON, args: [script, `--device=${device}`, `--threads=${opts.threads}`], optional: true }));
    }
  }
  const keep = (c: Contender) => opts.only.length === 0 || opts.only.some((w) => c.name.toLowerCase().includes(w.toLowerCase()));
  return all.filter((c, i) => i === 0 || keep(c));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Runs the MLP section; returns the process exit code. */
export async function runMlpBench(opts: { epochs: number; warmup: number; trainCount?: number; peers: boolean; only: string[]; threads: number; json?: string; devices?: Array<'cpu' | 'cuda'> }): Promise<number> {
  const data: BenchData = await loadBenchData({ trainCount: opts.trainCount });
  const list = mlpContenders(opts);
  const host = `${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}`;
  console.error(`bench (MLP 784-256-10) on ${host}: ${data.trainCount} training samples, batch ${data.batchSize}, lr ${data.lr}, ${opts.warmup} warm-up + ${opts.epochs} timed epochs`);
  for (const c of list) {
    console.error(`setting up ${c.name}...`);
    await c.setup(data);
  }
  const active = list.filter((c) => !c.skipped);
  const results = new Map<Contender, EpochResult[]>(active.map((c) => [c, []]));
  for (let e = 0; e < opts.warmup + opts.epochs; e++) {
    for (let k = 0; k < active.length; k++) {
      const c = active[(k + e) % active.length];
      const r = await c.trainEpoch(e);
      if (e >= opts.warmup) results.get(c)!.push(r);
      console.error(`  epoch ${e + 1}${e < opts.warmup ? ' (warm-up)' : ''} ${c.name}: ${r.seconds.toFixed(3)} s, loss ${r.loss.toFixed(4)}`);
    }
  }
  const rows = [];
  for (const c of list) {
    const epochs = results.get(c) ?? [];
    const testAccuracy = c.skipped ? NaN : await c.testAccuracy();
    await c.dispose();
    const seconds = median(epochs.map((r) => r.seconds));
    rows.push({
      name: c.name,
      skipped: Boolean(c.skipped),
      notes: [c.adapter, c.notes, c instanceof OursContender ? `GPU buffers ${(c.gpuBytes / 2 ** 20).toFixed(1)} MiB` : null].filter(Boolean).join('; '),
      epochs,
      seconds,
      gflops: (MLP_FLOP_PER_SAMPLE * data.trainCount) / seconds / 1e9,
      finalLoss: epochs.at(-1)?.loss ?? NaN,
      testAccuracy,
      rssMB: c instanceof ChildContender ? (c.rssMB ?? null) : null,
    });
  }
  const ours = rows[0].seconds;
  const fmt = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  console.log(`${host}, node ${process.version}, ${new Date().toISOString()}\n`);
  console.log('| contender | s/epoch (median) | GFLOP/s | final train loss | test acc | x ours | peak RSS MB | notes |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    console.log(
      r.skipped
        ? `| ${r.name} | - | - | - | - | - | - | ${r.notes || 'skipped'} |`
        : `| ${r.name} | ${fmt(r.seconds, 3)} | ${fmt(r.gflops, 2)} | ${fmt(r.finalLoss, 4)} | ${fmt(r.testAccuracy, 3)} | ${fmt(r.seconds / ours, 2)} | ${r.rssMB ?? `${peakRssMB()} (driver)`} | ${r.notes} |`,
    );
  }
  console.log('\ntargets:');
  for (const [what, word, limit] of [['ours <= 2x PyTorch CPU, 1 thread', 'pytorch', 2], ['ours <= 0.1x tfjs-webgpu (same adapter)', 'tfjs-webgpu', 0.1]] as const) {
    const peer = rows.find((r) => !r.skipped && r.name.includes(word));
    if (!peer) console.log(`- ${what}: not measured (contender absent or skipped)`);
    else console.log(`- ${what}: ours/peer = ${(ours / peer.seconds).toFixed(3)} -> ${ours / peer.seconds <= limit ? 'met' : 'NOT met'}`);
  }
  if (opts.json) {
    writeFileSync(opts.json, JSON.stringify({ date: new Date().toISOString(), cpu: host, model: 'mlp 784-256-10', flopPerSample: MLP_FLOP_PER_SAMPLE, trainCount: data.trainCount, rows }, null, 2));
    console.error(`wrote ${opts.json}`);
  }
  return 0;
}
