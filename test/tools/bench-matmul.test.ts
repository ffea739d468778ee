/**
 * The matmul micro-benchmark (`npm run bench -- --matmul`, tools/bench/matmul.ts) and the dense tile sweep
 * (`--sweep --sweep-only dense`, tools/bench/dense_sweep.ts), run here on lavapipe at tiny sizes: the report's
 * structure, every kernel's check against the CPU product (and that the check catches a wrong kernel), the CPU
 * BLAS yardstick where a Python with numpy or torch is installed, the kernels the sweep makes with the shipped
 * tiles being the ones training makes, every model's dense kernels and convolutions as the sweep finds them, and a
 * wrong convolution candidate reported and never chosen.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Gpu } from '../../src/gpu/device.js';
import { createNodeGpu } from '../../src/gpu/node.js';
import { mlpTilesFor } from '../../src/gpu/tuning.js';
import { createConvGemm } from '../../src/kernels/conv2d_implicit_gemm.js';
import { subgroupSize } from '../../src/kernels/subgroups.js';
import { ACTIVATION_CODES } from '../../src/kernels/conv2d_shape.js';
import { CONV_TIMED_ROWS, ConvBench, type ConvProblem, convProblemName, createConvWithTiles, modelConvProblems } from '../../tools/bench/conv_problems.js';
import { COMPUTATIONS, compareWithProduct, createShipped, createWithTiles, DenseBench, type DenseProblem, problemName, subgroupProblem, TEMPLATE_SHAPES } from '../../tools/bench/dense_kernels.js';
import { compareCandidates, formatDenseSweep, modelDenseProblems, sweepDenseTiles, TILED_CANDIDATES } from '../../tools/bench/dense_sweep.js';
import { defaultMatmulTiles, formatMatmul, matmulPassed, parseMatmulSizes, parseMatmulTiles, runMatmulBench, validateMatmulReport } from '../../tools/bench/matmul.js';
import { BENCH_PYTHON } from '../../tools/bench/peers.js';

const LAVAPIPE = '/usr/share/vulkan/icd.d/lvp_icd.json';
const HAS_BLAS_PYTHON = ['numpy', 'torch'].some((m) => spawnSync(BENCH_PYTHON, ['-c', `import ${m}`], { stdio: 'ignore' }).status === 0);
const TINY = { timing: { batches: 2, batchMs: 1 } };

let gpu: Gpu;
beforeAll(async () => {
  gpu = await createNodeGpu();
});
afterAll(() => gpu?.device.destroy());

describe.skipIf(!existsSync(LAVAPIPE))('matmul micro-benchmark (tools/bench/matmul.ts)', () => {
  it('times every shape of every product at 8x16x8, each checked against the CPU product, next to the CPU BLAS', async () => {
    const report = await runMatmulBench(gpu, { sizes: parseMatmulSizes('8x16x8'), ...TINY, python: HAS_BLAS_PYTHON ? BENCH_PYTHON : null, log: () => {} });
    expect(validateMatmulReport(JSON.parse(JSON.stringify(report)))).toEqual([]);
    expect(report.rows.map((r) => `${r.computation} ${r.shape}`)).toEqual(COMPUTATIONS.flatMap((c) => TEMPLATE_SHAPES.map((s) => `${c} ${s}`)));
    // lavapipe has subgroups of 8 and 8x16x8 fits the subgroup shape: all nine kernels run.
    for (const r of report.rows) {
      expect(r.skipped, `${r.computation} ${r.shape}`).toBeNull();
      expect(r.check!.ok, `${r.computation} ${r.shape}: worst ${r.check!.worst}`).toBe(true);
      expect(r.check!.rows).toBe(r.computation === 'weight_grad' ? 16 : 8); // every row of the output (dW: K rows)
      expect(r.gflops! > 0 && r.batchMs.length === 2).toBe(true);
    }
    expect(matmulPassed(report)).toBe(true);
    // The shape training takes here (kernels/linear.ts auto on lavapipe: subgroups) is marked, once per product.
    expect(report.rows.filter((r) => r.auto).map((r) => r.shape)).toEqual(COMPUTATIONS.map(() => (mlpTilesFor(gpu.adapterInfo).workgroupMemory ? 'tiled' : 'subgroup')));
    const md = formatMatmul(report);
    expect(md).toContain('| M x K x N | product | register tiles | workgroup memory | subgroup shuffles |');
    for (const c of COMPUTATIONS) expect(md).toMatch(new RegExp(`^\\| 8x16x8 \\| ${c} \\| .* \\| ok \\(3 of 3, worst [^|]+\\) \\|$`, 'm'));
    if (HAS_BLAS_PYTHON) {
      expect(report.blas!.threads).toBe(1);
      expect(report.blas!.rows.map((r) => r.computation)).toEqual([...COMPUTATIONS]);
      for (const r of report.blas!.rows) expect(r.ms > 0 && r.gflops > 0 && r.cpuPerWall < 1.5, JSON.stringify(r)).toBe(true);
    } else {
      expect(report.blasNote).toMatch(/^not run/);
    }
  });

  it('times the workgroup-memory shape at each tile asked for, GFLOP/s each, a tile past the limits as n/a, and names the tile to set', async () => {
    const { maxComputeInvocationsPerWorkgroup: most } = gpu.device.limits;
    // The shipped tile, one more, and one with a row of 4 x 4 blocks more than the invocations allow.
    const tiles = parseMatmulTiles(`32x32x16,16x32x5/8x4,${4 * (most / 16 + 1)}x64x8`);
    const report = await runMatmulBench(gpu, { sizes: parseMatmulSizes('8x16x8,7x13x9'), tiles, ...TINY, python: null, log: () => {} });
    expect(validateMatmulReport(JSON.parse(JSON.stringify(report)))).toEqual([]);
    expect(report.tileRows.map((r) => r.label)).toEqual(Array(6).fill(['32x32x16', '16x32x5 (8x4 per invocation)', `${4 * (most / 16 + 1)}x64x8`]).flat());
    for (const r of report.tileRows) {
      if (r.tile.rows > 32) {
        expect(r.skipped).toMatch(/^does not fit: the workgroup-memory tile \d+x64x8 needs \d+ invocations per workgroup/);
        continue;
      }
      expect(r.check!.ok, `${r.computation} ${r.label}`).toBe(true);
      expect(r.constants).toMatchObject({ BM: r.tile.rows, BN: r.tile.cols, BK: r.tile.depth, TM: r.tile.blockRows, TN: r.tile.blockCols });
      expect(r.gflops! > 0).toBe(true);
      expect(r.shipped).toBe(r.label === '32x32x16');
    }
    expect(matmulPassed(report)).toBe(true);
    expect(report.tileChoice!.label).toMatch(/^(32x32x16|16x32x5 \(8x4 per invocation\))$/);
    const md = formatMatmul(report);
    expect(md).toContain(`| M x K x N | product | 32x32x16 * | 16x32x5 (8x4 per invocation) | ${4 * (most / 16 + 1)}x64x8 |`);
    expect(md).toMatch(/^\| 7x13x9 \| weight_grad \| [\d.]+ \([\d.]+ ms\) \| [\d.]+ \([\d.]+ ms\) \| n\/a \|$/m);
    expect(md).toContain('checks against the CPU product: ok (12 of 18,');
    expect(md).toMatch(/^fastest tile \(geometric mean over the sizes and products of time \/ the shipped tile's\): .+; to adopt it: MLP_TILES\.cpu\.tiled = \{rows: \d+, cols: 32, depth: \d+, blockRows: \d, blockCols: 4\} \(gpu\/tuning\.ts; for a run, Tuning\.dense\.tiled\)$/m);
    // A CPU driver times no tile unless asked; a GPU the sweep's candidates.
    expect(defaultMatmulTiles(gpu)).toEqual([]);
    expect(parseMatmulTiles('all')).toEqual(TILED_CANDIDATES);
  });

  it('the check fails a kernel that computes something else, and a NaN', async () => {
    const problem: DenseProblem = { computation: 'forward', M: 8, K: 16, N: 8 };
    const bench = new DenseBench(gpu, problem);
    try {
      expect((await bench.check(await createShipped(gpu, problem, 'register'))).ok).toBe(true);
      // Made for K = 12: it reads the rows of x at the wrong stride and sums 12 of the 16 products.
      const wrong = await createShipped(gpu, { ...problem, K: 12 }, 'register');
      const check = await bench.check(wrong);
      expect(check.ok).toBe(false);
      expect(check.worst).toBeGreaterThan(1e-2);
    } finally {
      bench.destroy();
    }
    const expected = { value: Float64Array.of(1, 2), scale: Float64Array.of(1, 2) };
    expect(compareWithProduct([1, 2 + 1e-6], expected).ok).toBe(true);
    expect(compareWithProduct([1, Number.NaN], expected)).toEqual({ worst: Infinity, ok: false });
  });

  it('parses sizes and tiles and refuses a bad one', () => {
    expect(parseMatmulSizes('256x784x256,1024X1024x1024')).toEqual([{ M: 256, K: 784, N: 256 }, { M: 1024, K: 1024, N: 1024 }]);
    expect(() => parseMatmulSizes('8x16')).toThrow('--matmul-sizes: 8x16 is not M x K x N in whole numbers (e.g. 256x784x256)');
    expect(parseMatmulTiles('64x64x8,128x128x8/8x8')).toEqual([{ rows: 64, cols: 64, depth: 8, blockRows: 4, blockCols: 4 }, { rows: 128, cols: 128, depth: 8, blockRows: 8, blockCols: 8 }]);
    expect(parseMatmulTiles('none')).toEqual([]);
    expect(() => parseMatmulTiles('64x64')).toThrow('--matmul-tiles: 64x64 is not rows x cols x depth[/block rows x block cols] (e.g. 64x64x8 or 128x128x8/8x8), nor all or none');
    expect(() => parseMatmulTiles('36x32x8/8x4')).toThrow("--matmul-tiles: 36x32x8/8x4 is no tile the shader takes (the workgroup-memory tile 36x32x8 (8x4 per invocation): rows must be a multiple of blockRows and cols of blockCols), nor all or none");
  });
});

describe('a sweep step cut short by its time bound (compareCandidates)', () => {
  const t = (ms: number, ok = true) => ({ ms, ok });
  it('compares on the kernels every candidate was timed on, when they are at least half of the step', () => {
    // Three kernels; the time ran out on the third after the current value was timed there.
    const [current, other] = compareCandidates([[t(1), t(2), t(4)], [t(0.5), t(0.5), null]], [1e6, 2e6, 4e6]);
    expect(current).toEqual({ ratio: 1, gflops: 3e6 / 3 * 1e-6, kernels: 2, wrong: false });
    expect(other.kernels).toBe(2);
    expect(other.ratio).toBeCloseTo(Math.sqrt(0.5 * 0.25), 12);
    expect(other.gflops).toBeCloseTo(3e6 / 1 * 1e-6, 12);
  });
  it('compares none where fewer than half were timed by all, and marks a wrong result wherever it was timed', () => {
    const r = compareCandidates([[t(1), t(1), t(1)], [t(0.5), null, null], [t(0.5, false), null, null]], [1, 1, 1]);
    expect(r.map((c) => [c.ratio, c.gflops, c.kernels, c.wrong])).toEqual([[null, null, 0, false], [null, null, 0, false], [null, null, 0, true]]);
    // Timed on all: every kernel counts.
    expect(compareCandidates([[t(2), t(2)], [t(1), t(4)]], [1, 1])[1]).toMatchObject({ ratio: 1, kernels: 2 });
  });
});

describe.skipIf(!existsSync(LAVAPIPE))('dense tile sweep (tools/bench/dense_sweep.ts)', () => {
  it('with the shipped tiles makes the kernels training makes (createLinear*), in every shape', async () => {
    const shipped = mlpTilesFor(gpu.adapterInfo);
    const problems: DenseProblem[] = [
      { computation: 'forward', M: 256, K: 784, N: 256, u8: true },
      { computation: 'weight_grad', M: 256, K: 784, N: 256, u8: true },
      { computation: 'forward', M: 256, K: 400, N: 120 },
      { computation: 'input_grad', M: 256, K: 120, N: 84 },
      { computation: 'input_grad', M: 256, K: 400, N: 120 },
      { computation: 'weight_grad', M: 128, K: 4096, N: 4096 },
      { computation: 'forward', M: 256, K: 84, N: 10 },
    ];
    let compared = 0;
    for (const p of problems) {
      for (const shape of TEMPLATE_SHAPES) {
        if (shape === 'subgroup' && subgroupProblem(gpu, p)) continue;
        const mine = await createWithTiles(gpu, p, shape, shipped);
        const theirs = await createShipped(gpu, p, shape);
        expect(mine.constants, `${problemName(p)} ${shape}`).toEqual(theirs.constants);
        expect(mine.kernel).toBe(theirs.kernel); // one compiled pipeline: the same source and override values
        compared++;
      }
    }
    expect(compared).toBe(problems.length * 3 - 1); // 84x10 has no subgroup shape (N % 4)
  });

  it("finds every model's dense kernels: the MLP's u8 first layer without an input gradient, LeNet's after its convolutions with one", async () => {
    const problems = await modelDenseProblems(gpu, ['mlp', 'lenet']);
    const names = problems.map((p) => `${problemName(p)} ${p.models.join('+')}`);
    expect(names).toEqual(expect.arrayContaining(['forward u8 256x784x256 mlp', 'weight_grad u8 256x784x256 mlp', 'forward 256x256x10 mlp', 'input_grad 256x256x10 mlp', 'weight_grad 256x256x10 mlp']));
    expect(names).toEqual(expect.arrayContaining(['forward 256x400x120 lenet', 'input_grad 256x400x120 lenet', 'weight_grad 256x400x120 lenet', 'input_grad 256x84x10 lenet']));
    expect(names.filter((n) => n.startsWith('input_grad') && n.includes('x784x'))).toEqual([]);
    expect(new Set(names.map((n) => n.split(' ').slice(0, -1).join(' '))).size).toBe(names.length); // each kernel once
  });

  it('with no time for candidates (--sweep-seconds spent) times the shipped tiles in every shape and keeps them', async () => {
    const r = await sweepDenseTiles(gpu, { models: ['concise'], seconds: 0, timing: { batches: 1, batchMs: 1 }, log: () => {} });
    expect(r.rows.length).toBeGreaterThan(0);
    expect(r.timeUp).toBe(true);
    expect(r.adopted).toEqual({ ...r.shipped, subgroups: r.adopted.subgroups, workgroupMemory: r.adopted.workgroupMemory });
    expect(r.steps.every((s) => s.candidates.filter((c) => c.chosen).length === 1 && s.candidates[0].chosen)).toBe(true);
    for (const row of r.rows) {
      expect(row.shipped.register! > 0 && row.shipped.tiled! > 0, row.key).toBe(true);
      expect(row.adopted).toEqual(row.shipped);
    }
    expect(r.measurements.every((m) => m.ok)).toBe(true);
    expect(formatDenseSweep(r)).toMatch(/^to adopt: MLP_TILES\.cpu = \{forward: \{workgroup: \d+/m);
    // The workgroup-memory tile's step is there, its candidates untimed.
    const tiled = r.steps.find((s) => s.shape === 'tiled')!;
    expect(tiled.candidates.map((c) => [c.label, c.ratio, c.gflops])).toEqual([['32x32x16 (current)', null, null], ['64x64x8', null, null]]);
  });

  it('sweeps the workgroup-memory tile (MlpTiles.tiled) over every kernel, with GFLOP/s per candidate, and names the field to set', async () => {
    const r = await sweepDenseTiles(gpu, { models: ['concise'], timing: { batches: 1, batchMs: 1 }, log: () => {} });
    expect(r.timeUp).toBe(false);
    const tiled = r.steps.find((s) => s.shape === 'tiled')!;
    expect(tiled.problems).toEqual(r.rows.map((row) => row.key)); // every dense kernel of the models swept
    expect(tiled.candidates.map((c) => c.label)).toEqual(['32x32x16 (current)', '64x64x8']);
    for (const c of tiled.candidates) expect(c.ratio! > 0 && c.gflops! > 0 && !c.wrong, c.label).toBe(true);
    // Every candidate's kernels carry its tile.
    const timed = r.measurements.filter((m) => m.shape === 'tiled').map((m) => `${m.constants.BM}x${m.constants.BN}x${m.constants.BK}`);
    expect(new Set(timed)).toEqual(new Set(['32x32x16', '64x64x8']));
    const md = formatDenseSweep(r);
    expect(md).toMatch(/^- workgroup-memory tile \(MlpTiles\.tiled: rows x cols x depth\) \(2 kernels\): 32x32x16 \(current\) 1\.00 \([\d.]+ GFLOP\/s\)( <-)?, 64x64x8 [\d.]+ \([\d.]+ GFLOP\/s\)( <-)?$/m);
    expect(md).toMatch(/^workgroup-memory tile: MlpTiles\.tiled = \{rows: \d+, cols: \d+, depth: \d+, blockRows: 4, blockCols: 4\} \(MLP_TILES\.cpu\.tiled in gpu\/tuning\.ts; for a run, Tuning\.dense\.tiled\)/m);
  });
  it("finds the convolutions chapter 7's networks run as implicit GEMM: ResNet-18's at their shapes, each product once, LeNet's blocks not", () => {
    const problems = modelConvProblems(gpu, ['resnet18', 'googlenet']);
    const names = problems.map((p) => `${convProblemName(p)} ${p.models.join('+')}`);
    // The 3x3 convolutions of each stage (96 px, after the 7x7 stride-2 stem and the 3x3 stride-2 pooling: 24 px), both
    // ways, and the stage's first, stride 2 with its 1x1 shortcut.
    for (const c of ['64->64 24x24 k3 s1 p1', '128->128 12x12 k3 s1 p1', '256->256 6x6 k3 s1 p1', '512->512 3x3 k3 s1 p1', '64->128 24x24 k3 s2 p1', '256->512 6x6 k1 s2 p0']) {
      for (const computation of COMPUTATIONS) expect(names).toContain(`conv ${computation} ${c} resnet18`);
    }
    // The stem reads the images: no input gradient (nothing below it is trained, and 1 channel is not a multiple of 4);
    // GoogLeNet's stem is the same convolution, listed once for both.
    expect(names).toContain('conv forward 1->64 96x96 k7 s2 p3 resnet18+googlenet');
    expect(names).toContain('conv weight_grad 1->64 96x96 k7 s2 p3 resnet18+googlenet');
    expect(names.filter((n) => n.startsWith('conv input_grad 1->64'))).toEqual([]);
    expect(new Set(problems.map(convProblemName)).size).toBe(problems.length);
    const stem = problems.find((p) => convProblemName(p) === 'conv forward 1->64 96x96 k7 s2 p3')!;
    expect(stem).toMatchObject({ batch: 256, rows: CONV_TIMED_ROWS }); // lavapipe: 8 samples of ResNet-18's batch of 256
    // LeNet's convolutions are subgroup blocks on an adapter with one subgroup size, as lavapipe's (nn/conv_block.ts);
    // softmax and the MLPs have none.
    expect(subgroupSize(gpu)).toBe(8);
    expect(modelConvProblems(gpu, ['lenet', 'concise', 'mlp'])).toEqual([]);
  });

  it("checks a convolution's output against conv2d_general's twin, and fails a kernel that computes something else", async () => {
    // (Every product in both shapes passes in the sweep below; here the planes compared and a wrong kernel.)
    const dims = { C_IN: 8, C_OUT: 12, H: 9, W: 7, KS: 3, STRIDE: 2, PAD: 1 };
    const shipped = mlpTilesFor(gpu.adapterInfo);
    for (const computation of ['forward', 'weight_grad'] as const) {
      const p: ConvProblem = { computation, dims, batch: 3, rows: 3, models: ['test'] };
      const bench = await ConvBench.create(gpu, p);
      try {
        const check = await bench.check(await createConvWithTiles(gpu, p, 'tiled', shipped));
        expect(check.ok, `${convProblemName(p)}: worst ${check.worst}`).toBe(true);
        // The first and the last 4 of the 12 output channels, of the first and the last sample (dW: their sum).
        expect(check.rows).toBe(computation === 'weight_grad' ? 8 : 16);
        if (computation === 'forward') {
          // The forward with a ReLU: every negative entry is wrong.
          const relu = await createConvGemm(gpu, dims, 3, { act: ACTIVATION_CODES.relu, training: false, inputGrad: false, shape: 'tiled' });
          const wrong = await bench.check(relu.forward as never);
          expect(wrong.ok).toBe(false);
          expect(wrong.worst).toBeGreaterThan(1e-2);
        }
      } finally {
        bench.destroy();
      }
    }
  });

  it('sweeps the workgroup-memory tile over the convolutions too; a wrong candidate is reported and never chosen', async () => {
    const dims = { C_IN: 8, C_OUT: 8, H: 10, W: 10, KS: 3, STRIDE: 2, PAD: 1 };
    const convs: ConvProblem[] = COMPUTATIONS.map((computation) => ({ computation, dims, batch: 2, rows: 2, models: ['test'] }));
    // Every convolution kernel with the 64x64x8 tile "computes something else": the check says so.
    const check = ConvBench.prototype.check;
    const spy = vi.spyOn(ConvBench.prototype, 'check').mockImplementation(async function (this: ConvBench, k) {
      const result = await check.call(this, k);
      return k.constants.BM === 64 ? { ...result, worst: 1, ok: false } : result;
    });
    try {
      const r = await sweepDenseTiles(gpu, { models: ['concise'], convs, timing: { batches: 1, batchMs: 1 }, log: () => {} });
      const tiled = r.steps.find((s) => s.shape === 'tiled')!;
      expect(tiled.problems).toEqual([...r.rows.map((x) => x.key), ...convs.map(convProblemName)]);
      expect(tiled.candidates.map((c) => [c.label, c.wrong, c.chosen])).toEqual([['32x32x16 (current)', false, true], ['64x64x8', true, false]]);
      // The subgroup shape's workgroup over them too, and words over their weight gradient (its TV), where it runs.
      if (subgroupSize(gpu) !== null) {
        const sgStep = (name: string) => r.steps.find((x) => x.name.startsWith(name))!.problems;
        expect(sgStep('subgroup workgroup')).toEqual(expect.arrayContaining(convs.map(convProblemName)));
        expect(sgStep('subgroup weight_grad words').filter((k) => k.startsWith('conv'))).toEqual(['conv weight_grad 8->8 10x10 k3 s2 p1']);
      }
      expect(r.adopted.tiled).toEqual(r.shipped.tiled);
      expect(r.convRows.map((x) => x.key)).toEqual(convs.map(convProblemName));
      for (const row of r.convRows) {
        expect(row.shipped.register, row.key).toBeNull(); // a convolution has no register shape
        expect(row.shipped.tiled! > 0 && (subgroupSize(gpu) === null || row.shipped.subgroup! > 0), row.key).toBe(true);
      }
      const md = formatDenseSweep(r);
      expect(md).toContain('| product | C_in->C_out, H x W, kernel, stride, padding | rows (batch) | models | workgroup memory | subgroup shuffles | GFLOP/s (adopted) |');
      expect(md).toMatch(/^\| weight_grad \| 8->8, 10x10, k3 s2 p1 \| 2 \(2\) \| test \| [\d.]+ -> [\d.]+ \| [\d.]+ -> [\d.]+ \* \| [\d.]+ \|$/m);
      expect(md).toMatch(/^failed or wrong \(never chosen\): .*conv forward 8->8 10x10 k3 s2 p1 tiled \{[^}]*"BM":64[^}]*\}: wrong output/m);
    } finally {
      spy.mockRestore();
    }
  });
});
