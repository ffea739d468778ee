/**
 * The child side (child.ts's line protocol) of the jax-js peer of every bench section (jax.ts):
 *   node dist/tools/bench/run-jax-peer.js --model softmax|mlp|lenet [--activation sigmoid|relu --pool avg|max]
 *     --serve --seed=42 --batch-size=256 --lr=0.1 --train-count=N --test-count=N
 * In its own process: jax-js takes this process's navigator.gpu and WebGPU device.
 */
import { parseArgs } from 'node:util';
import { servePeer } from './child.js';
import { loadBenchData } from './contender.js';
import { JaxContender, lenetJaxNet, mlpJaxNet, softmaxJaxNet } from './jax.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      serve: { type: 'boolean' },
      seed: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      'train-count': { type: 'string' },
      'test-count': { type: 'string' },
      model: { type: 'string', default: 'softmax' },
      activation: { type: 'string', default: 'sigmoid' },
      pool: { type: 'string', default: 'avg' },
    },
  });
  const nets = { softmax: softmaxJaxNet, mlp: mlpJaxNet, lenet: () => lenetJaxNet(values.activation!, values.pool!) };
  const net = nets[values.model as keyof typeof nets];
  if (!net) throw new Error(`run-jax-peer: unknown --model ${values.model} (softmax, mlp or lenet)`);
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  const data = await loadBenchData({ seed: num(values.seed), batchSize: num(values['batch-size']), lr: num(values.lr), trainCount: num(values['train-count']), testCount: num(values['test-count']) });
  return (await servePeer(new JaxContender(net()), data)) ? 0 : 1;
}

// Exit explicitly: a dawn.node GPU object keeps the event loop alive after the work is done.
main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
