/**
 * Seeded mutation fuzz of the checkpoint reader, like the IDX one: thousands of random mutations of a real
 * checkpoint (bytes flipped, cut, appended; header JSON values swapped for hostile ones) must each either decode
 * to a model whose tensors have the spec's shapes, or be refused with one CheckpointError. Never another error
 * (a RangeError from a DataView, a TypeError on a missing field), never a hang, never a huge allocation.
 */
import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/errors.js';
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint } from '../../src/model/checkpoint.js';
import { modelDefinition } from '../../src/model/registry.js';
import { elementsOf } from '../../src/model/tensors.js';
import { Rng } from '../../src/random.js';

const SEED = 20261128;
const MAX_CASES = 5000;
const MAX_MS = 10_000;
const MEMORY_SLACK = 64 << 20; // the checkpoint is a few KiB; a header-sized allocation would be GBs

/** The concise model's weight and bias (W and b before it was a Sequential, which load renamed). */
const [W, B] = ['1.weight', '1.bias'];

function base(): Uint8Array {
  const spec = modelDefinition('concise').spec({ channels: 1, height: 4, width: 4 }, 3, {});
  const params = modelDefinition('concise').init(spec, 1);
  const meta: Checkpoint['meta'] = {
    model: spec, epoch: 2, config: { lr: 0.1, batchSize: 8, seed: 1, epochs: 3, limit: null },
    history: [{ epoch: 1, loss: 1, trainAccuracy: 0.5, testAccuracy: 0.5, seconds: 1 }, { epoch: 2, loss: 0.9, trainAccuracy: 0.6, testAccuracy: null, seconds: 1 }],
    test: { loss: 1, accuracy: 0.5, samples: 10 },
  };
  return encodeCheckpoint({ params, meta });
}

/** Hostile JSON values to drop into the header. */
const VALUES: unknown[] = [null, [], {}, -1, 0, 1.5, 1e300, 2 ** 53, '', 'x', [0], [1, 2, 3], [-8, 8], [0, 1e12], [[1]], true, { a: 1 }, '{"kind":"scratch"}', 'null', '[]'];

function headerOf(b: Uint8Array): { length: number; json: Record<string, unknown> } | null {
  if (b.length < 8) return null;
  const length = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));
  try {
    return { length, json: JSON.parse(new TextDecoder().decode(b.subarray(8, 8 + length))) };
  } catch {
    return null;
  }
}

function withJson(b: Uint8Array, json: unknown, length: number): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(json));
  const out = new Uint8Array(8 + text.length + b.length - 8 - length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(b.subarray(8 + length), 8 + text.length);
  return out;
}

type Mutation = (b: Uint8Array, rng: Rng) => Uint8Array;
const MUTATIONS: Array<[string, Mutation]> = [
  ['flip bytes', (b, rng) => {
    const out = b.slice();
    for (let i = 0, k = 1 + rng.int(4); i < k; i++) out[rng.int(out.length)] ^= 1 + rng.int(255);
    return out;
  }],
  ['truncate', (b, rng) => b.slice(0, rng.int(b.length + 1))],
  ['append', (b, rng) => new Uint8Array([...b, ...Array.from({ length: 1 + rng.int(16) }, () => rng.int(256))])],
  ['header length', (b, rng) => {
    const out = b.slice();
    new DataView(out.buffer).setBigUint64(0, BigInt(rng.int(3) === 0 ? rng.nextU32() * 2 ** 21 : rng.int(out.length + 64)), true);
    return out;
  }],
  ['header value', (b, rng) => {
    const h = headerOf(b);
    if (!h) return b;
    const json = h.json;
    const keys = Object.keys(json);
    const key = keys[rng.int(keys.length)];
    const target = json[key] as Record<string, unknown>;
    const fields = target && typeof target === 'object' ? Object.keys(target) : [];
    const value = VALUES[rng.int(VALUES.length)];
    if (fields.length > 0 && rng.int(4) > 0) target[fields[rng.int(fields.length)]] = key === '__metadata__' && rng.int(2) ? JSON.stringify(value) : value;
    else json[key] = value;
    return withJson(b, json, h.length);
  }],
  ['duplicate or rename a tensor', (b, rng) => {
    const h = headerOf(b);
    if (!h) return b;
    const text = JSON.stringify(h.json);
    // The weight under the bias's name, the bias under an unknown name, or under its former name b (which loads).
    const mutated = [() => text.replace(`"${W}":`, `"${B}":`), () => text.replace(`"${B}":`, '"V":'), () => text.replace(`"${B}":`, '"b":')][rng.int(3)]();
    const bytes = new TextEncoder().encode(mutated);
    const out = new Uint8Array(8 + bytes.length + b.length - 8 - h.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(bytes.length), true);
    out.set(bytes, 8);
    out.set(b.subarray(8 + h.length), 8 + bytes.length);
    return out;
  }],
];

describe('checkpoint reader under seeded mutation', () => {
  it(`up to ${MAX_CASES} cases or ${MAX_MS / 1000} s: a consistent checkpoint or one CheckpointError, nothing else`, () => {
    const good = base();
    const rng = new Rng(SEED);
    const start = performance.now();
    const heap = process.memoryUsage().heapUsed;
    const seen: Record<string, { ok: number; refused: number }> = {};
    let cases = 0;
    for (; cases < MAX_CASES && performance.now() - start < MAX_MS; cases++) {
      const [what, mutate] = MUTATIONS[cases % MUTATIONS.length];
      let bytes = good;
      for (let k = 0, n = 1 + rng.int(2); k < n; k++) bytes = mutate(bytes, rng);
      seen[what] ??= { ok: 0, refused: 0 };
      try {
        const ck = decodeCheckpoint(bytes, 'fuzz');
        const shapes = modelDefinition(ck.meta.model.kind).shapes(ck.meta.model);
        for (const [name, shape] of Object.entries(shapes)) {
          expect(ck.params[name].data.length, `case ${cases} (${what}): ${name}`).toBe(elementsOf(shape));
        }
        seen[what].ok++;
      } catch (err) {
        if (!(err instanceof CheckpointError)) throw new Error(`case ${cases} (${what}): ${(err as Error).name}: ${(err as Error).message}`);
        expect((err as Error).message).toMatch(/^fuzz: /);
        expect((err as Error).message).not.toContain('\n');
        seen[what].refused++;
      }
      expect(process.memoryUsage().heapUsed - heap).toBeLessThan(MEMORY_SLACK + 256 << 20);
    }
    expect(cases).toBeGreaterThan(500);
    // Every kind of mutation was tried, and the refusals were real ones (each kind refused something).
    for (const [what] of MUTATIONS) expect(seen[what]?.refused ?? 0, what).toBeGreaterThan(0);
  });

  it('a duplicated tensor name is refused, not silently the last one', () => {
    const good = base();
    const h = headerOf(good)!;
    const text = JSON.stringify(h.json).replace(`"${B}":`, `"${W}":"dup","${B}":`).replace(`"${W}":"dup",`, `"${W}":${JSON.stringify(h.json[W])},`);
    const bytes = new TextEncoder().encode(text);
    const out = new Uint8Array(8 + bytes.length + good.length - 8 - h.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(bytes.length), true);
    out.set(bytes, 8);
    out.set(good.subarray(8 + h.length), 8 + bytes.length);
    expect(() => decodeCheckpoint(out, 'dup')).toThrow(new CheckpointError('dup: the header names a tensor twice (3 tensor entries, 2 distinct names)'));
  });
});
