/**
 * `node dist/tools/bench/mlp_kernels.js [--reps N] [--rounds N] [--only NAME] [--set NAME=V,...[;NAME=V,...]]`: times each dense-layer
 * kernel of the MLP (784-256-10, batch 256) alone on the local adapter (random data; N dispatches in one submit,
 * best of 3 submits), with its pipeline's compile time. `--set` overrides tuning constants (e.g. RG=3, TV=4, or WG=32 for the workgroup size)
 * in every case that has them; several sets separated by `;` are timed in turns, round after round, so that a
 * busy machine slows them alike. Used to choose tile sizes (docs/benchmark-history.md, MLP).
 */
import { parseArgs } from 'node:util';
import { createBufferWith } from '../../src/gpu/buffers.js';
import { createNodeGpu } from '../../src/gpu/node.js';
import { mlpTilesFor } from '../../src/gpu/tuning.js';
import { ACTIVATION_CODES } from '../../src/kernels/activation.js';
import type { BoundKernel } from '../../src/kernels/kernel.js';
import { linearForwardSubgroup, linearForwardU8Subgroup, linearInputGradSubgroup, linearWeightGradSubgroup, linearWeightGradU8Subgroup } from '../../src/kernels/linear_subgroup.js';
import { createSgdUniform, sgdWeightDecay } from '../../src/kernels/optimizer.js';
import { rowGroupsFor, subgroupSize } from '../../src/kernels/subgroups.js';
import { StepSlots } from '../../src/train/steps.js';
import { dispatchTimer } from './dispatch_timer.js';

const B = 256;
const K = 784;
const H = 256;

async function main() {
  const { values } = parseArgs({ options: { reps: { type: 'string', default: '5' }, rounds: { type: 'string', default: '3' }, only: { type: 'string' }, set: { type: 'string', default: '' } } });
  const reps = Number(values.reps);
  const sets = values.set.split(';').map((set) => Object.fromEntries(set.split(',').filter(Boolean).map((kv) => { const [k, v] = kv.split('='); return [k, Number(v)]; })));
  let overrides: Record<string, number> = {};
  const gpu = await createNodeGpu();
  const { device } = gpu;
  const buf = (n: number) => createBufferWith(device, 'bench', Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5));
  const words = (n: number) => createBufferWith(device, 'bench', Uint32Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 0));
  const order = createBufferWith(device, 'bench', Uint32Array.from({ length: B }, (_, i) => (i * 37) % B));
  const step = StepSlots.create(device, [{ row0: 0, rows: B }]).groups[0];
  const SG = subgroupSize(gpu);
  if (!SG) throw new Error('this adapter has no single subgroup size (or no subgroups feature): the dense kernels run their generic variants, which this tool does not time');
  // The defaults are the shipped tuning (gpu/tuning.ts MLP_TILES, kernels/subgroups.ts rowGroupsFor), so the
  // `defaults` line times what training runs.
  const tiles = mlpTilesFor(gpu.adapterInfo).subgroups;
  const RG = rowGroupsFor(SG);
  const sg = (defaults: Record<string, number>) => ({ workgroup: overrides.WG ?? tiles.workgroup, constants: { ...defaults, SG, ...Object.fromEntries(Object.entries(overrides).filter(([k]) => k in defaults)) } });
  const mm = (k: number, n: number) => 2 * B * k * n;
  const cases: Array<[string, number, () => Promise<[BoundKernel<string>, Record<string, GPUBuffer>]>]> = [
    ['forward u8 784x256 relu', mm(K, H), async () => [await linearForwardU8Subgroup.create(gpu, { K, N: H }, { rows: B, ...sg({ RG, ACT: ACTIVATION_CODES.relu }) }), { images: words(B * K / 4), labels: words(B), order, w: buf(K * H), b: buf(H), out: buf(B * H), y: words(B) }]],
    ['weight grad u8 784x256', mm(K, H), async () => [await linearWeightGradU8Subgroup.create(gpu, { K, N: H }, { rows: B, ...sg({ TV: tiles.chunks }) }), { images: words(B * K / 4), order, dy: buf(B * H), dw: buf(K * H) }]],
    ['forward 256x12', mm(H, 12), async () => [await linearForwardSubgroup.create(gpu, { K: H, N: 12 }, { rows: B, ...sg({ RG, ACT: ACTIVATION_CODES.none }) }), { x: buf(B * H), w: buf(H * 12), b: buf(12), out: buf(B * 12) }]],
    ['input grad 256x12', mm(H, 12), async () => [await linearInputGradSubgroup.create(gpu, { K: H, N: 12 }, { rows: B, ...sg({ RG, TC: tiles.kPerLane, ACT: ACTIVATION_CODES.relu }) }), { dy: buf(B * 12), w: buf(H * 12), h: buf(B * H), dx: buf(B * H) }]],
    ['weight grad 256x12', mm(H, 12), async () => [await linearWeightGradSubgroup.create(gpu, { K: H, N: 12 }, { rows: B, ...sg({ TV: tiles.words }) }), { x: buf(B * H), dy: buf(B * 12), dw: buf(H * 12) }]],
    ['sgd weight decay W1', 0, async () => [await sgdWeightDecay.create(gpu, { COUNT: K * H }), { sgd: createSgdUniform(device, 'sgd', 0.1, 0.001), param: buf(K * H), grad: buf(K * H) }]],
  ];
  for (const [name, flop, make] of cases) {
    if (values.only && !name.includes(values.only)) continue;
    const runs = [];
    for (const set of sets) {
      overrides = set;
      const t0 = performance.now();
      const [kernel, buffers] = await make();
      const compile = performance.now() - t0;
      const group = kernel.bind(buffers);
      const run = dispatchTimer(device, kernel, group, step, reps);
      await run();
      runs.push({ label: Object.entries(set).map(([k, v]) => `${k}=${v}`).join(',') || 'defaults', run, compile, best: Infinity, cpu: Infinity });
    }
    for (let round = 0; round < Number(values.rounds); round++) {
      for (const r of runs) {
        const { wall, cpu } = await r.run();
        r.best = Math.min(r.best, wall);
        r.cpu = Math.min(r.cpu, cpu);
      }
    }
    for (const { label, best, cpu, compile } of runs) {
      console.log(`${name.padEnd(26)} ${label.padEnd(12)} ${best.toFixed(3).padStart(8)} ms/dispatch  ${flop ? ((flop / best) * 1e-6).toFixed(2).padStart(6) + ' GFLOP/s' : '       -       '}  cpu ${cpu.toFixed(3).padStart(7)} ms  compile ${(compile / 1000).toFixed(1)} s`);
    }
  }
  device.destroy();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
