/**
 * The child side (child.ts's line protocol) of the MLP and LeNet sections' tfjs peer:
 *   node dist/tools/bench/run-net-peer.js --serve --seed=42 --batch-size=256 --lr=0.1 --train-count=N --test-count=N
 *     [--model lenet --activation sigmoid|relu --pool avg|max]   (default: the MLP)
 * One tfjs backend per process, as run-peer.ts does for the softmax peers.
 */
import { parseArgs } from 'node:util';
import { servePeer } from './child.js';
import { loadBenchData } from './contender.js';
import { lenetNet, mlpNet, TfjsNetContender } from './tfjs_nets.js';

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
  return (await servePeer(contender, data)) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
