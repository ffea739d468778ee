/**
 * Runs one peer contender.
 *   node dist/tools/bench/run-peer.js --peer tfjs-webgpu --epochs 4 --json
 *     -> one JSON line: {"name","epochs":[{seconds,loss,trainAccuracy}],"testAccuracy","adapter","rssMB"}
 *   node dist/tools/bench/run-peer.js --peer tfjs-wasm --serve
 *     -> the child side of child.ts's line protocol (what isolatedPeer() starts)
 * Peers: tfjs-webgpu, tfjs-wasm, pytorch (--device cpu|cuda, --threads N, --compile).
 * Options: --seed 42 --batch-size 256 --lr 0.1 --train-count 60000 --test-count 10000 --data DIR.
 */
import { parseArgs } from 'node:util';
import { ChildContender, servePeer } from './child.js';
import { loadBenchData, peakRssMB, type BenchData, type Contender, type EpochResult, type PeerReport } from './contender.js';
import { createPeer, isPeerName, PEER_NAMES, type PeerOptions } from './peers.js';

const USAGE = `usage: run-peer --peer ${PEER_NAMES.join('|')} [--epochs 4] [--json | --serve]
  [--seed 42] [--batch-size 256] [--lr 0.1] [--train-count 60000] [--test-count 10000] [--data DIR]
  [--device cpu|cuda] [--threads 1] [--compile]      (PyTorch only)`;

function emit(obj: object): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

async function runOnce(contender: Contender, data: BenchData, epochs: number, json: boolean): Promise<void> {
  await contender.setup(data);
  const report: PeerReport = { name: contender.name, epochs: [], testAccuracy: NaN, adapter: null, rssMB: 0 };
  if (contender.skipped) {
    Object.assign(report, { skipped: true, notes: contender.notes });
  } else {
    for (let e = 0; e < epochs; e++) {
      const r: EpochResult = await contender.trainEpoch(e);
      report.epochs.push(r);
      if (!json) {
        const line = `epoch ${e + 1}: ${r.seconds.toFixed(3)} s, loss ${r.loss.toFixed(4)}, train acc ${r.trainAccuracy.toFixed(4)}`;
        console.error(line);
      }
    }
    report.testAccuracy = await contender.testAccuracy();
    report.adapter = contender.adapter ?? null;
    if (contender.notes) report.notes = contender.notes;
  }
  await contender.dispose();
  // A peer in a child process (PyTorch) reports its own peak; otherwise it is this process's.
  report.rssMB = contender instanceof ChildContender && contender.rssMB !== undefined ? contender.rssMB : peakRssMB();
  if (json) emit(report);
  else console.log(`${report.name} on ${report.adapter}: test acc ${report.testAccuracy.toFixed(4)}, peak RSS ${report.rssMB} MiB${report.notes ? ` (${report.notes})` : ''}`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      peer: { type: 'string' },
      epochs: { type: 'string', default: '4' },
      json: { type: 'boolean', default: false },
      serve: { type: 'boolean', default: false },
      seed: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      'train-count': { type: 'string' },
      'test-count': { type: 'string' },
      data: { type: 'string' },
      device: { type: 'string', default: 'cpu' },
      threads: { type: 'string', default: '1' },
      compile: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || !values.peer || !isPeerName(values.peer)) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  // Children (the PyTorch script) find the data through the environment, as src/data/node.ts does.
  if (values.data) process.env.FASHION_MNIST_DIR = values.data;
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  const data = await loadBenchData({
    seed: num(values.seed),
    batchSize: num(values['batch-size']),
    lr: num(values.lr),
    trainCount: num(values['train-count']),
    testCount: num(values['test-count']),
    root: values.data,
  });
  const opts: PeerOptions = {
    device: values.device === 'cuda' ? 'cuda' : 'cpu',
    threads: Number(values.threads),
    compile: values.compile,
  };
  const contender = await createPeer(values.peer, opts);
  if (values.serve) await servePeer(contender, data);
  else await runOnce(contender, data, Number(values.epochs), values.json);
  return 0;
}

// Exit explicitly: a dawn.node GPU object keeps the event loop alive after the work is done.
main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
