/**
 * The child side (child.ts's line protocol) of the MLP and LeNet sections' tfjs peer:
 *   node dist/tools/bench/run-net-peer.js --serve --seed=42 --batch-size=256 --lr=0.1 --train-count=N --test-count=N
 *     [--model lenet --activation sigmoid|relu --pool avg|max]   (default: the MLP)
 * One tfjs backend per process, as run-peer.ts does for the softmax peers.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadBenchData, peakRssMB } from './contender.js';
import { lenetNet, mlpNet, TfjsNetContender } from './tfjs_nets.js';

const emit = (obj: object) => process.stdout.write(`${JSON.stringify(obj)}\n`);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      serve: { type: 'boolean' },
      seed: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      'train-count': { type: 'string' },
      'test-count': { type: 'string' },
      model: { type: 'string', default: 'mlp' },
      activation: { type: 'string', default: 'sigmoid' },
      pool: { type: 'string', default: 'avg' },
    },
  });
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  const data = await loadBenchData({ seed: num(values.seed), batchSize: num(values['batch-size']), lr: num(values.lr), trainCount: num(values['train-count']), testCount: num(values['test-count']) });
  const contender = new TfjsNetContender('webgpu', values.model === 'lenet' ? lenetNet(values.activation!, values.pool!) : mlpNet());
  try {
    await contender.setup(data);
  } catch (err) {
    emit({ error: `setup failed: ${(err as Error).message}` });
    return 1;
  }
  emit({ ready: true, name: contender.name, adapter: contender.adapter ?? null, notes: contender.notes ?? null });
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, arg] = line.trim().split(/\s+/);
    try {
      if (cmd === 'train') emit(await contender.trainEpoch(Number(arg)));
      else if (cmd === 'test') emit({ testAccuracy: await contender.testAccuracy() });
      else if (cmd === 'quit') break;
      else emit({ error: `unknown command ${JSON.stringify(line)}` });
    } catch (err) {
      emit({ error: (err as Error).message });
    }
  }
  await contender.dispose();
  emit({ rssMB: peakRssMB() });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
