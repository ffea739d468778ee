import { describe, expect, it } from 'vitest';
import { mlpInit, mlpSpec } from '../../src/model/mlp.js';
import { hiddenDropout, layerSizes } from '../../src/model/mlp.js';
import type { Parameters } from '../../src/model/tensors.js';
import { dropoutKeep } from '../../src/reference/dropout_mask.js';
import { mlpGradients } from '../../src/reference/mlp.js';
import { Rng } from '../../src/random.js';
import { expectClose } from '../kernels/harness.js';

// A tiny MLP (8 pixels -> 5 -> 3 -> 4 classes, 6 rows), its CPU reference's analytic gradients (the kernels'
// twins, f32 results) against central finite differences of an independent f64 forward with the same dropout
// masks. Tolerance: the analytic side rounds to f32 (1e-7 relative per value) and the differences have
// O(eps²) = 1e-12 truncation error, so 1e-6 abs + 1e-4 rel. A ReLU input within eps of 0 would break the
// difference; the seeds below have none (the test would show it as one outlier).
const spec = mlpSpec('mlp', { channels: 1, height: 2, width: 4 }, 4, { hidden: '5,3', dropout: '0.3,0.2' });
const step = { seed: 9, epoch: 2, index: 5 };
const rows = 6;

/** Mean cross-entropy of the MLP in f64, dropout as in training with the masks of `step`. */
function loss64(params: Record<string, Float64Array>, x: Float32Array, y: Uint32Array): number {
  const sizes = layerSizes(spec);
  let a: Float64Array = Float64Array.from(x);
  for (let l = 1; l < sizes.length; l++) {
    const [K, N] = [sizes[l - 1], sizes[l]];
    const out = new Float64Array(rows * N);
    const mask = hiddenDropout(spec, step.seed, l - 1);
    for (let r = 0; r < rows; r++) {
      for (let n = 0; n < N; n++) {
        let v = params[`b${l}`][n];
        for (let k = 0; k < K; k++) v += a[r * K + k] * params[`W${l}`][k * N + n];
        if (l < sizes.length - 1) {
          v = Math.max(v, 0);
          if (mask.DROP_THRESHOLD > 0) v = dropoutKeep(mask, step, r * N + n) ? v * mask.DROP_SCALE : 0;
        }
        out[r * N + n] = v;
      }
    }
    a = out;
  }
  const C = spec.classes;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const z = a.subarray(r * C, r * C + C);
    const m = Math.max(...z);
    total += m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0)) - z[y[r]];
  }
  return total / rows;
}

describe('the MLP reference\'s analytic gradients equal finite differences', () => {
  it('8 -> 5 -> 3 -> 4 with ReLU, dropout 0.3 / 0.2, 6 rows', () => {
    const rng = new Rng(4);
    const params: Parameters = mlpInit(spec, 1);
    for (const t of Object.values(params)) rng.fillNormal(t.data, 0, 0.5); // larger than the book's, so every unit is used
    const x = Float32Array.from({ length: rows * 8 }, () => rng.uniform());
    const y = Uint32Array.from({ length: rows }, () => rng.int(4));
    const { grads, lossSum } = mlpGradients(spec, params, x, y, rows, step);
    const p64 = Object.fromEntries(Object.entries(params).map(([k, t]) => [k, Float64Array.from(t.data)]));
    expect(lossSum / rows).toBeCloseTo(loss64(p64, x, y), 5);
    const eps = 1e-6;
    let checked = 0;
    for (const name of Object.keys(params)) {
      const numeric = new Float64Array(params[name].data.length);
      for (let i = 0; i < numeric.length; i++) {
        const v = p64[name][i];
        p64[name][i] = v + eps;
        const up = loss64(p64, x, y);
        p64[name][i] = v - eps;
        const down = loss64(p64, x, y);
        p64[name][i] = v;
        numeric[i] = (up - down) / (2 * eps);
        checked++;
      }
      expectClose(grads[name].data, numeric, { abs: 1e-6, rel: 1e-4 }, `∂loss/∂${name}`);
      expect(grads[name].data.some((g) => g !== 0), `${name} has a nonzero gradient`).toBe(true);
    }
    expect(checked).toBe(8 * 5 + 5 + 5 * 3 + 3 + 3 * 4 + 4);
  });
});
