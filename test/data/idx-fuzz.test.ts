import { describe, expect, it } from 'vitest';
import { decodeIdx } from '../../src/data/dataset.js';
import { checkImagesLabels, parseIdx, type IdxArray } from '../../src/data/idx.js';
import { gunzipNode } from '../../src/data/node.js';
import { DataError } from '../../src/errors.js';
import { Rng } from '../../src/random.js';
import { gz, idxBytes } from './helpers.js';

// Seeded mutation fuzz: every mutated file must either parse to something self-consistent or be rejected
// with a DataError naming the file. A RangeError from a DataView read past the end, a TypeError, a hang
// or an allocation sized by a corrupt header would all fail here.
const SEED = 20261125;
const MAX_CASES = 6000;
const MAX_MS = 10_000;
const MEMORY_SLACK = 64 << 20; // the largest legitimate output is a few KiB; a header-sized allocation is GBs

const BASES: number[][] = [[3], [10], [2, 5], [1, 28, 28], [2, 28, 28], [2, 3, 4], [1, 2, 3, 2]];
const SPECIAL_U32 = [0, 1, 2, 27, 28, 29, 255, 256, 784, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

type Mutation = (b: Uint8Array, rng: Rng) => Uint8Array;

const MUTATIONS: [string, Mutation][] = [
  ['flip bytes', (b, rng) => {
    const out = b.slice();
    const k = 1 + rng.int(4);
    for (let i = 0; i < k && out.length > 0; i++) out[rng.int(out.length)] ^= 1 + rng.int(255);
    return out;
  }],
  ['truncate', (b, rng) => b.slice(0, rng.int(b.length + 1))],
  ['append', (b, rng) => {
    const extra = Uint8Array.from({ length: 1 + rng.int(8) }, () => rng.int(256));
    return new Uint8Array([...b, ...extra]);
  }],
  ['header byte', (b, rng) => {
    const out = b.slice();
    out[rng.int(Math.min(out.length, 20))] = rng.int(256);
    return out;
  }],
  ['dimension', (b, rng) => {
    const out = b.slice();
    const rank = Math.max(1, Math.min(out[3] ?? 1, 4));
    const at = 4 + 4 * rng.int(rank);
    if (at + 4 > out.length) return out;
    const view = new DataView(out.buffer);
    const old = view.getUint32(at);
    const choice = rng.int(3);
    view.setUint32(at, choice === 0 ? SPECIAL_U32[rng.int(SPECIAL_U32.length)] : choice === 1 ? (old + (rng.int(2) ? 1 : -1)) >>> 0 : rng.nextU32());
    return out;
  }],
  ['rank', (b, rng) => {
    const out = b.slice();
    out[3] = rng.int(7);
    return out;
  }],
];

function checkConsistent(parsed: IdxArray, raw: number | null, label: string): void {
  const product = parsed.dims.reduce((a, d) => a * d, 1);
  if (product !== parsed.data.length) throw new Error(`${label}: dims ${parsed.dims} but ${parsed.data.length} bytes of data`);
  if (raw !== null && raw !== 4 + 4 * parsed.dims.length + parsed.data.length) throw new Error(`${label}: header + data != file length`);
  if (parsed.dims.some((d) => !(d > 0))) throw new Error(`${label}: non-positive dimension ${parsed.dims}`);
}

describe('IDX mutation fuzz', () => {
  it(`raw and gzip, up to ${MAX_CASES} cases or ${MAX_MS / 1000} s: consistent parse or DataError, nothing else`, async () => {
    const rng = new Rng(SEED);
    const t0 = performance.now();
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = baseline;
    const outcomes = { parsed: 0, rejected: 0, gzip: 0 };
    const surprises: string[] = [];
    let cases = 0;

    for (; cases < MAX_CASES && performance.now() - t0 < MAX_MS; cases++) {
      const dims = BASES[rng.int(BASES.length)];
      const base = idxBytes(dims);
      const [mutName, mutate] = MUTATIONS[rng.int(MUTATIONS.length)];
      // A third of the cases gzip the file, then mutate either the IDX inside or the gzip stream itself.
      const mode = rng.int(3);
      const bytes = mode === 0 ? mutate(base, rng) : mode === 1 ? gz(mutate(base, rng)) : mutate(gz(base), rng);
      if (mode !== 0) outcomes.gzip++;
      const name = `fuzz-${cases}.idx`;
      const label = `case ${cases} (${mutName}, ${['raw', 'gzip of mutated', 'mutated gzip'][mode]}, base [${dims}])`;
      try {
        const parsed = mode === 0 ? parseIdx(bytes, name) : await decodeIdx(bytes, name, gunzipNode);
        checkConsistent(parsed, mode === 0 ? bytes.length : null, label);
        // A parse that looks like an images file goes on to the split check, which may only throw DataError.
        if (parsed.dims.length === 3) {
          const n = parsed.dims[0];
          const y = parseIdx(idxBytes([n], Uint8Array.from({ length: n }, () => rng.int(12))), 'labels');
          try {
            const split = checkImagesLabels(parsed, y, name, 'labels');
            if (split.images.length !== split.count * 784) throw new Error(`${label}: split of ${split.count} with ${split.images.length} pixels`);
          } catch (err) {
            if (!(err instanceof DataError)) throw err;
          }
        }
        outcomes.parsed++;
      } catch (err) {
        if (err instanceof DataError && err.message.startsWith(`${name}: `)) outcomes.rejected++;
        else surprises.push(`${label}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
      }
      if (cases % 64 === 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }

    expect(surprises.slice(0, 10)).toEqual([]);
    expect(peak - baseline).toBeLessThan(MEMORY_SLACK);
    // The fuzz exercised both outcomes, and ran long enough to mean something.
    expect(cases).toBeGreaterThan(1000);
    expect(outcomes.parsed).toBeGreaterThan(50);
    expect(outcomes.rejected).toBeGreaterThan(500);
    expect(outcomes.gzip).toBeGreaterThan(300);
  });
});
