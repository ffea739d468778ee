/**
 * Concise softmax regression became a Sequential, nn.Sequential(nn.Flatten(), nn.Linear(784, 10)), its tensors
 * named as PyTorch names the book's net (1.weight, 1.bias; the weight [in, out] as W was): a checkpoint an earlier
 * build wrote under the former names (W, b, and its momentum buffers under them) still loads, renamed, evaluates
 * to the figures that build gave and resumes to the figures that build's resume gave. The fixture is 1 epoch of
 * `train --model concise --optimizer sgd --momentum 0.5 --limit 2048`, written by that build; its `eval --json`
 * printed EXPECTED, and `train --resume FIXTURE --out DIR --epochs 2 --json` printed RESUMED.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/model/checkpoint.js';
import { CONCISE_FORMER_NAMES } from '../../src/model/concise.js';
import { runCli } from '../cli/run.js';

const FIXTURE = new URL('../fixtures/checkpoint-v3-concise-W-b.safetensors', import.meta.url);
const EXPECTED = { loss: 1.1554181640625, accuracy: 0.637, samples: 10000 };
const RESUMED = { epoch: 2, loss: 1.022782564163208, trainAccuracy: 0.67333984375, testAccuracy: 0.6597, test: { loss: 0.9678302734375, accuracy: 0.6597, samples: 10000 } };

/** The fixture's header: its tensor names and shapes in file order. */
function header(bytes: Uint8Array): Record<string, number[]> {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const entries = Object.entries(JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Record<string, { shape: number[] }>);
  return Object.fromEntries(entries.filter(([k]) => k !== '__metadata__').map(([k, v]) => [k, v.shape]));
}

describe('concise checkpoints with the former tensor names (W, b)', () => {
  it('load with W [784, 10] as 1.weight as it is laid out, b as 1.bias, and the momentum buffers renamed with them', () => {
    const bytes = readFileSync(FIXTURE);
    expect(header(bytes)).toEqual({ W: [784, 10], b: [10], 'W.momentum_buffer': [784, 10], 'b.momentum_buffer': [10] });
    const ck = decodeCheckpoint(bytes, 'fixture');
    expect(ck.meta.model.kind).toBe('concise');
    expect(Object.keys(ck.params)).toEqual([CONCISE_FORMER_NAMES.W, CONCISE_FORMER_NAMES.b]);
    expect(ck.params['1.weight'].shape).toEqual([784, 10]);
    expect(Object.keys(ck.optimizerState ?? {}).sort()).toEqual(['1.bias.momentum_buffer', '1.weight.momentum_buffer']);
  });

  it('re-encode under the new names', () => {
    const ck = decodeCheckpoint(readFileSync(FIXTURE), 'fixture');
    const again = encodeCheckpoint(ck);
    expect(Object.keys(header(again)).sort()).toEqual(['1.bias', '1.bias.momentum_buffer', '1.weight', '1.weight.momentum_buffer']);
    expect(decodeCheckpoint(again, 'again').params['1.weight'].data).toEqual(ck.params['1.weight'].data);
  });

  it('eval gives the figures the earlier build gave, to the last digit', async () => {
    const r = await runCli(['eval', '--model', new URL(FIXTURE).pathname, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(EXPECTED);
  });

  it('--resume continues with the renamed momentum to the figures the earlier build gave', async () => {
    const out = mkdtempSync(join(tmpdir(), 'concise-former-'));
    const r = await runCli(['train', '--resume', new URL(FIXTURE).pathname, '--out', out, '--epochs', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { epochs: Array<{ epoch: number; loss: number; trainAccuracy: number; testAccuracy: number }>; test: unknown };
    const { epoch, loss, trainAccuracy, testAccuracy } = result.epochs[1];
    expect({ epoch, loss, trainAccuracy, testAccuracy, test: result.test }).toEqual(RESUMED);
  });
});
