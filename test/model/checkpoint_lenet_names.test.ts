/**
 * LeNet became a Sequential, its tensors named as PyTorch names the book's net (0.weight, 3.weight, 7.weight, ...):
 * a checkpoint an earlier build wrote under the layers' former names (conv1.weight, ..., fc3.bias, and its
 * momentum buffers under them) still loads, renamed, and evaluates to the figures that build gave. The fixture is
 * 1 epoch of `train --model lenet --activation relu --pool max --optimizer sgd --momentum 0.9 --lr 0.01
 * --limit 512`, written by that build; its `eval --json` printed the figures below.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/model/checkpoint.js';
import { LENET_LAYERS } from '../../src/model/lenet.js';
import { runCli } from '../cli/run.js';

const FIXTURE = new URL('../fixtures/checkpoint-v3-lenet-named-layers.safetensors', import.meta.url);
const EXPECTED = { loss: 2.32895546875, accuracy: 0.0911, samples: 10000 };

/** The fixture's header: its tensor names in file order. */
function headerNames(bytes: Uint8Array): string[] {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return Object.keys(JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)))).filter((k) => k !== '__metadata__');
}

describe('LeNet checkpoints with the former layer names', () => {
  it('load with every tensor and momentum buffer renamed to its place in the Sequential', () => {
    const bytes = readFileSync(FIXTURE);
    expect(headerNames(bytes)).toContain('conv1.weight.momentum_buffer');
    const ck = decodeCheckpoint(bytes, 'fixture');
    expect(Object.keys(ck.params)).toEqual(['0.weight', '0.bias', '3.weight', '3.bias', '7.weight', '7.bias', '9.weight', '9.bias', '11.weight', '11.bias']);
    expect(Object.keys(ck.optimizerState ?? {}).sort()).toEqual(Object.keys(ck.params).map((k) => `${k}.momentum_buffer`).sort());
    expect(ck.params[`${LENET_LAYERS.fc3}.bias`].shape).toEqual([10]);
  });

  it('re-encode under the new names', () => {
    const ck = decodeCheckpoint(readFileSync(FIXTURE), 'fixture');
    const again = encodeCheckpoint(ck);
    expect(headerNames(again).filter((k) => k.startsWith('conv') || k.startsWith('fc'))).toEqual([]);
    expect(decodeCheckpoint(again, 'again').params['0.weight'].data).toEqual(ck.params['0.weight'].data);
  });

  it('refuse a file that holds a tensor under both names', () => {
    const ck = decodeCheckpoint(readFileSync(FIXTURE), 'fixture');
    const both = encodeCheckpoint({ ...ck, params: { ...ck.params, 'conv1.weight': ck.params['0.weight'] } });
    expect(() => decodeCheckpoint(both, 'both.safetensors')).toThrow(/names tensor 0\.weight twice: as 0\.weight and as conv1\.weight/);
  });

  it('eval gives the figures the earlier build gave, to the last digit', async () => {
    const r = await runCli(['eval', '--model', new URL(FIXTURE).pathname, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(EXPECTED);
  });
});
