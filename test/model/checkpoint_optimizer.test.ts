/**
 * Checkpoint version 3 (issue 21): the optimizer in __metadata__ and its state tensors beside the parameters,
 * exactly the names of the recorded optimizer; versions 1 and 2 read as plain SGD at their learning rate, and a
 * version-2 run resumed by this build ends where the build that wrote it ended.
 */
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/errors.js';
import { type Checkpoint, CHECKPOINT_FILE, decodeCheckpoint, encodeCheckpoint } from '../../src/model/checkpoint.js';
import { loadCheckpoint } from '../../src/model/checkpoint_file.js';
import { fashionMnistSpec, modelDefinition } from '../../src/model/registry.js';
import type { Parameters } from '../../src/model/tensors.js';
import { optim, type OptimizerConfig, stateShapes } from '../../src/optim/index.js';
import { runCli } from '../cli/run.js';

const spec = fashionMnistSpec('mlp', { hidden: '4' });
const params = modelDefinition('mlp').init(spec, 0);
const meta = (optimizer: OptimizerConfig) => ({ model: spec, epoch: 1, config: { lr: optimizer.lr, batchSize: 256, seed: 0, epochs: 2, limit: null }, history: [], test: null, optimizer });

/** State tensors of `optimizer` for the MLP's parameters, each value its index / 1000 (the step count 7). */
function stateOf(optimizer: OptimizerConfig): Parameters {
  const shapes = stateShapes(optimizer, Object.entries(params).map(([name, t]) => ({ name, shape: t.shape })));
  return Object.fromEntries(Object.entries(shapes).map(([name, shape]) => [name, { shape, data: name === 'optimizer.step' ? Float32Array.of(7) : Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i / 1000) }]));
}

/** A version-3 checkpoint's bytes with its header edited by `edit`. */
function withHeader(ck: Checkpoint, edit: (header: Record<string, any>) => void): Uint8Array {
  const bytes = encodeCheckpoint(ck);
  const length = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  edit(header);
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
  const text = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + text.length + bytes.length - 8 - length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(bytes.subarray(8 + length), 8 + text.length);
  return out;
}

const refusal = (bytes: Uint8Array) => {
  try {
    decodeCheckpoint(bytes, 'ck');
  } catch (err) {
    expect(err).toBeInstanceOf(CheckpointError);
    return (err as Error).message;
  }
  return '';
};

describe('checkpoint version 3: the optimizer and its state', () => {
  for (const optimizer of [optim.Adam({ lr: 0.002, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.01 }), optim.SGD({ lr: 0.1, momentum: 0.9 })]) {
    it(`${optimizer.kind}: the config and every state tensor come back as written`, () => {
      const ck: Checkpoint = { params, meta: meta(optimizer), optimizerState: stateOf(optimizer) };
      const again = decodeCheckpoint(encodeCheckpoint(ck), 'ck');
      expect(again.meta.optimizer).toEqual(optimizer);
      expect(Object.keys(again.params)).toEqual(Object.keys(params));
      expect(again.optimizerState).toEqual(ck.optimizerState);
      expect(Object.keys(again.optimizerState!)).toEqual(optimizer.kind === 'adam' ? ['W1.exp_avg', 'b1.exp_avg', 'W2.exp_avg', 'b2.exp_avg', 'W1.exp_avg_sq', 'b1.exp_avg_sq', 'W2.exp_avg_sq', 'b2.exp_avg_sq', 'optimizer.step'] : ['W1.momentum_buffer', 'b1.momentum_buffer', 'W2.momentum_buffer', 'b2.momentum_buffer']);
    });
  }

  it('plain SGD: no state tensors, the optimizer still recorded', () => {
    const again = decodeCheckpoint(encodeCheckpoint({ params, meta: meta(optim.SGD({ lr: 0.1 })) }), 'ck');
    expect(again.optimizerState).toBeUndefined();
    expect(again.meta.optimizer).toEqual({ kind: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0 });
  });

  it("refuses a tensor that is not a parameter nor the recorded optimizer's state, naming it", () => {
    const adam = optim.Adam();
    // A momentum buffer in an Adam checkpoint
    const ck: Checkpoint = { params, meta: meta(adam), optimizerState: { ...stateOf(adam), 'W1.momentum_buffer': stateOf(optim.SGD({ lr: 1, momentum: 0.5 }))['W1.momentum_buffer'] } };
    expect(refusal(encodeCheckpoint(ck))).toBe("ck: tensor W1.momentum_buffer is not a parameter of model mlp (it has W1, b1, W2, b2) or of its adam optimizer's state");
    // State under plain SGD, which has none
    const sgd: Checkpoint = { params, meta: meta(optim.SGD({ lr: 0.1 })), optimizerState: stateOf(adam) };
    expect(refusal(encodeCheckpoint(sgd))).toBe('ck: tensor W1.exp_avg is not a parameter of model mlp (it has W1, b1, W2, b2)');
  });

  it('refuses state of the wrong shape, a step count that is none, a negative mean of squares', () => {
    const adam = optim.Adam();
    const state = stateOf(adam);
    expect(refusal(encodeCheckpoint({ params, meta: meta(adam), optimizerState: { ...state, 'b1.exp_avg': { shape: [5], data: new Float32Array(5) } } }))).toBe('ck: tensor b1.exp_avg has shape [5], the model needs [4]');
    expect(refusal(encodeCheckpoint({ params, meta: meta(adam), optimizerState: { ...state, 'optimizer.step': { shape: [1], data: Float32Array.of(2.5) } } }))).toBe('ck: tensor optimizer.step is 2.5, not a step count');
    expect(refusal(encodeCheckpoint({ params, meta: meta(adam), optimizerState: { ...state, 'b2.exp_avg_sq': { shape: [10], data: new Float32Array(10).fill(-1) } } }))).toBe('ck: tensor b2.exp_avg_sq holds a negative value; a mean of squares cannot');
  });

  it('refuses an optimizer in the metadata that the code would refuse, or a second learning rate', () => {
    const ck: Checkpoint = { params, meta: meta(optim.Adam()) };
    expect(refusal(withHeader(ck, (h) => (h.__metadata__.optimizer = JSON.stringify({ kind: 'rmsprop', lr: 0.1 }))))).toBe('ck: metadata field "optimizer": unknown optimizer "rmsprop" (this build has sgd, adam)');
    expect(refusal(withHeader(ck, (h) => (h.__metadata__.optimizer = JSON.stringify({ ...optim.Adam(), betas: [1, 0.999] }))))).toBe('ck: metadata field "optimizer": betas[0] must be a number at least 0 and below 1, not 1');
    expect(refusal(withHeader(ck, (h) => delete h.__metadata__.optimizer))).toBe('ck: metadata field "optimizer" is missing');
    expect(refusal(withHeader(ck, (h) => (h.__metadata__.optimizer = JSON.stringify(optim.Adam({ lr: 0.5 })))))).toBe('ck: metadata field "optimizer" has lr 0.5, field "config" 0.001: a run has one learning rate');
  });
});

describe('version-2 checkpoints', () => {
  const fixture = (epoch: number) => new URL(`../fixtures/checkpoint-v2-mlp-epoch${epoch}.safetensors`, import.meta.url);
  // Written by the version-2 build (commit 8066685): train --model mlp --hidden 8 --weight-decay 0.01 --limit 1000
  // --batch-size 100 --epochs 1 (and --epochs 2) --out DIR.
  it('read as plain SGD at their learning rate, with no state', () => {
    const ck = decodeCheckpoint(readFileSync(fixture(1)), 'fixture');
    expect(ck.meta.optimizer).toEqual({ kind: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0 });
    expect(ck.meta.model.options.weightDecay).toBe(0.01); // the MLP's own option, applied as the optimizer's weight decay
    expect(ck.optimizerState).toBeUndefined();
  });

  it('resumed by this build, end where the version-2 build ended, bit for bit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webgpu-softmax-v2-resume-'));
    copyFileSync(fixture(1), join(dir, CHECKPOINT_FILE));
    const r = await runCli(['train', '--resume', dir, '--epochs', '2']);
    expect(r.code, r.stderr).toBe(0);
    const [mine, theirs] = [loadCheckpoint(dir), decodeCheckpoint(readFileSync(fixture(2)), 'fixture')];
    for (const name of Object.keys(theirs.params)) expect(Buffer.from(mine.params[name].data.buffer).equals(Buffer.from(theirs.params[name].data.buffer)), name).toBe(true);
    expect(mine.meta.history.map(({ seconds: _, ...r }) => r)).toEqual(theirs.meta.history.map(({ seconds: _, ...r }) => r));
  });
});
