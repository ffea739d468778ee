/** `eval` on checkpoints whose numbers cannot be trusted: one line and a non-zero exit, never a NaN printed as a result. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeCheckpoint } from '../../src/model/checkpoint.js';
import { fashionMnistSpec, modelDefinition } from '../../src/model/registry.js';
import { runCli } from './run.js';

describe('eval', () => {
  it('finite but huge weights whose loss is NaN: says so and exits 1', async () => {
    const spec = fashionMnistSpec('scratch');
    const params = modelDefinition('scratch').init(spec, 0);
    // ±3e38 per weight: every weight is a finite f32, but x·W overflows to ±Infinity and log-sum-exp to NaN.
    params.W.data.forEach((_, i) => (params.W.data[i] = i % 2 ? 3e38 : -3e38));
    const path = join(mkdtempSync(join(tmpdir(), 'webgpu-softmax-eval-')), 'huge.safetensors');
    writeFileSync(path, encodeCheckpoint({ params, meta: { model: spec, epoch: 1, config: { lr: 0.1, batchSize: 256, seed: 0, epochs: 1, limit: null }, history: [], test: null } }));
    const r = await runCli(['eval', '--model', path, '--json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    // The last line of stderr is the one error line (the adapter and checkpoint lines come first).
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      `error: ${path}: its weights are finite but give a test loss of NaN (too large for f32: the run that wrote it diverged); use an earlier checkpoint`,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
