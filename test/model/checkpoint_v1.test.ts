/**
 * A checkpoint written before parameters were named tensors (format version 1: W and b, the model as a bare
 * kind) still loads and evaluates to the figures it was written with. The fixture is 1 epoch of
 * `train --model concise --limit 3000`, written by the version-1 code; that run printed test loss
 * 1.25973818359375 and test accuracy 0.6351 on the 10,000 test images. Concise is a Sequential now: its W and b
 * load as 1.weight and 1.bias (test/model/checkpoint_concise_names.test.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/model/checkpoint.js';
import { runCli } from '../cli/run.js';

const FIXTURE = new URL('../fixtures/checkpoint-v1-concise.safetensors', import.meta.url);

describe('version-1 checkpoints', () => {
  it('decode to the concise softmax-regression spec with W [784, 10] and b [10], named as the Sequential names them', () => {
    const ck = decodeCheckpoint(readFileSync(FIXTURE), 'fixture');
    expect(ck.meta.model).toEqual({ kind: 'concise', input: { channels: 1, height: 28, width: 28 }, classes: 10, options: { kernels: 'auto' } });
    expect(Object.keys(ck.params)).toEqual(['1.weight', '1.bias']);
    expect(ck.params['1.weight'].shape).toEqual([784, 10]);
    expect(ck.meta.epoch).toBe(1);
    expect(ck.meta.test).toEqual({ loss: 1.25973818359375, accuracy: 0.6351, samples: 10000 });
  });

  it('re-encode as the current version with the same tensors', () => {
    const ck = decodeCheckpoint(readFileSync(FIXTURE), 'fixture');
    const again = decodeCheckpoint(encodeCheckpoint(ck), 'again');
    expect(again.params['1.weight'].data).toEqual(ck.params['1.weight'].data);
    expect(again.meta).toEqual(ck.meta);
  });

  it('eval gives the figures training printed, to the last digit', async () => {
    const r = await runCli(['eval', '--model', new URL(FIXTURE).pathname, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ loss: 1.25973818359375, accuracy: 0.6351, samples: 10000 });
  });
});
