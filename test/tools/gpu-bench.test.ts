/**
 * tools/gpu-bench/run, the one command for a GPU machine, run here for real on lavapipe (--installed: this
 * checkout's node, node_modules and dist/ instead of the unpacked pack; everything after the unpacking is the
 * same script). A tiny configuration keeps it short: 1,024 samples, 1 epoch, a sweep of two shapes, the dense
 * tiles of one model with no time for candidates, the matmul bench at 8x16x8 with one workgroup-memory tile, no tfjs.
 * No CUDA here, so the run must leave the pytorch-cuda contender out and say so. PyTorch (Debian's
 * python3-torch, from tools/install-system.sh --with-bench) is used where installed; without it the run is told
 * GPU_BENCH_TORCH_DEVICES=none and benches ours alone.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matmulPassed, validateMatmulReport } from '../../tools/bench/matmul.js';
import { validateBenchReport } from '../../tools/bench/schema.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUN = join(ROOT, 'tools/gpu-bench/run');
const LAVAPIPE = '/usr/share/vulkan/icd.d/lvp_icd.json';
const HAS_TORCH = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

interface Result {
  code: number | null;
  stdout: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [RUN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stdout += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
}

/** The body rows of the first markdown table after `heading`, as trimmed cells. */
function tableRows(md: string, heading: string): string[][] {
  const lines = md.slice(md.indexOf(heading)).split('\n');
  const table: string[] = [];
  for (let i = lines.findIndex((l) => l.startsWith('|')); i >= 0 && i < lines.length && lines[i].startsWith('|'); i++) table.push(lines[i]);
  return table.slice(2).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}

const tiny = (dir: string) => ({
  OUT: join(dir, 'out'),
  GPU_BENCH_WORK: join(dir, 'work'),
  VK_DRIVER_FILES: LAVAPIPE,
  GPU_BENCH_TRAIN_COUNT: '1024',
  GPU_BENCH_EPOCHS: '1',
  GPU_BENCH_ONLY: 'default,pytorch',
  GPU_BENCH_KERNEL_ONLY: 'softmax\\.test|sgd_update',
  // One model keeps the run short; the others' sections are the same code path (bench --model NAME).
  GPU_BENCH_MODELS: 'softmax',
  GPU_BENCH_SWEEP_ARGS: '--epochs 1 --sweep-forward-workgroups 16 --sweep-rows 8 --sweep-update-workgroups 8,16',
  GPU_BENCH_TILES_ARGS: '--sweep-models concise --sweep-seconds 1',
  GPU_BENCH_MATMUL_ARGS: '--matmul-sizes 8x16x8 --matmul-batches 2 --matmul-batch-ms 1 --matmul-tiles 64x64x8',
  ...(HAS_TORCH ? {} : { GPU_BENCH_TORCH_DEVICES: 'none' }),
});
const withTorch = (stages: string[]) => (HAS_TORCH ? stages : stages.filter((s) => s !== 'torch'));

let dir: string;
beforeAll(() => {
  // The kernel check and the sweep are compiled with the bench (global-setup builds src/ only).
  execFileSync('npx', ['tsc', '-p', 'tools/gpu-bench/tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  dir = mkdtempSync(join(tmpdir(), 'gpu-bench-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tools/gpu-bench', () => {
  it('run --help and prepare --help print their usage; a bad argument exits 2 with one line', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: bash tools/gpu-bench/run');
    expect(help.stdout).toContain('VK_DRIVER_FILES');
    const prepare = execFileSync('bash', [join(ROOT, 'tools/gpu-bench/prepare'), '--help'], { encoding: 'utf8' });
    expect(prepare).toContain('usage: tools/gpu-bench/prepare');
    const bad = await run(['--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stdout.trim()).toBe('run: unknown argument --bogus (see --help)');
  });

  it('the bench lists its models and refuses one it does not know', () => {
    const bench = join(ROOT, 'dist/tools/bench/main.js');
    expect(execFileSync(process.execPath, [bench, '--list-models'], { encoding: 'utf8' }).split('\n')).toContain('softmax');
    let message = '';
    try {
      execFileSync(process.execPath, [bench, '--model', 'nope'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      message = String((err as { stderr: string }).stderr).trim();
    }
    expect(message).toMatch(/^unknown --model nope: this bench knows softmax, mlp/);
    // (--only and the bench's other refusals: test/tools/bench.test.ts)
  });

  it.skipIf(!existsSync(LAVAPIPE))('runs every stage on lavapipe and reports one finite row per contender', async () => {
    const out = join(dir, 'ok');
    const r = await run(['--installed'], tiny(out));
    expect(r.code, r.stdout).toBe(0);
    // Debian's torch has no CUDA: the run must say so and bench PyTorch on the CPU only.
    expect(r.stdout).toContain(HAS_TORCH ? 'torch sees no CUDA device: the pytorch-cuda contender is left out' : 'GPU_BENCH_TORCH_DEVICES=none: no PyTorch contenders');

    const report = JSON.parse(readFileSync(join(out, 'out', 'gpu-bench.json'), 'utf8'));
    expect(report.stages.map((s: { name: string }) => s.name)).toEqual(withTorch(['adapter', 'torch', 'kernels', 'sweep', 'tiles', 'matmul', 'models', 'bench softmax']));
    expect(report.stages.every((s: { status: string }) => s.status === 'ok')).toBe(true);
    expect(report.adapter).toMatch(/llvmpipe/);
    expect(report.kernelCheck.failed).toBe(0);
    expect(report.kernelCheck.passed).toBeGreaterThan(10);
    // Two update workgroups for the one forward shape: the default and one more, both timed, one chosen.
    expect(report.sweep.rows.filter((x: { phase: number }) => x.phase === 2)).toHaveLength(2);
    expect(Number.isFinite(report.sweep.best.bestSeconds) && report.sweep.best.bestSeconds > 0).toBe(true);
    // The dense tiles of concise's kernel(s), shipped tiles only (no time for candidates), every shape timed.
    expect(report.tiles.models).toEqual(['concise']);
    expect(report.tiles.rows.length).toBeGreaterThan(0);
    expect(report.tiles.rows.every((r: { shipped: { register: number | null } }) => r.shipped.register! > 0)).toBe(true);
    // The matmul bench: every shape of every product checked, the CPU BLAS beside them where Python has it.
    expect(validateMatmulReport(report.matmul)).toEqual([]);
    expect(matmulPassed(report.matmul)).toBe(true);
    expect(report.matmul.sizes).toEqual([{ M: 8, K: 16, N: 8 }]);
    // ... and the workgroup-memory tile asked for, on each product.
    expect(report.matmul.tileRows.map((x: { label: string; check: { ok: boolean } }) => `${x.label} ${x.check.ok}`)).toEqual(Array(3).fill('64x64x8 true'));

    const bench = report.models.softmax;
    expect(validateBenchReport(bench)).toEqual([]);
    expect(bench.trainCount).toBe(1024);
    expect(bench.rows.map((x: { name: string }) => x.name)).toEqual(['ours (default: fused kernels, ~10 submits/epoch)', ...(HAS_TORCH ? ['pytorch-cpu'] : [])]);
    for (const row of bench.rows) {
      expect(row.skipped, row.name).toBe(false);
      for (const key of ['medianSeconds', 'samplesPerSecond', 'finalLoss', 'testAccuracy', 'ratioToOurs']) {
        expect(Number.isFinite(row[key]) && row[key] > 0, `${row.name} ${key} = ${row[key]}`).toBe(true);
      }
      expect(row.testAccuracy).toBeLessThanOrEqual(1);
    }

    // The markdown has the bench's own table, one row per contender, with the JSON's numbers.
    const md = readFileSync(join(out, 'out', 'gpu-bench.md'), 'utf8');
    expect(md).toContain('## Dense template tiles (bench --sweep --sweep-only dense)');
    expect(md).toContain('| 8x16x8 | forward |');
    expect(md).toContain('| contender | s/epoch (median) | samples/s | GFLOP/s | final train loss | train acc | test acc | x ours | peak RSS MB | notes |');
    const rows = tableRows(md, '## Model softmax');
    expect(rows.map((c) => c[0])).toEqual(bench.rows.map((x: { name: string }) => x.name));
    expect(rows.map((c) => Number(c[1]))).toEqual(bench.rows.map((x: { medianSeconds: number }) => Number(x.medianSeconds.toFixed(3))));
    expect(readFileSync(join(out, 'out', 'gpu-bench.log'), 'utf8')).toContain('== stage bench softmax: ok');
  }, 100_000);

  it('reports a failing stage and still runs the next ones', async () => {
    // No Vulkan driver at that path: every stage that needs the adapter fails; torch and the report still run.
    const out = join(dir, 'fail');
    const r = await run(['--installed'], { ...tiny(out), VK_DRIVER_FILES: '/nonexistent/icd.json' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('note: VK_DRIVER_FILES=/nonexistent/icd.json does not exist');
    const report = JSON.parse(readFileSync(join(out, 'out', 'gpu-bench.json'), 'utf8'));
    const status = Object.fromEntries(report.stages.map((s: { name: string; status: string }) => [s.name, s.status]));
    const want = { adapter: 'failed', torch: 'ok', kernels: 'failed', sweep: 'failed', tiles: 'failed', matmul: 'failed', models: 'ok', 'bench softmax': 'failed' };
    expect(Object.keys(status)).toEqual(withTorch(Object.keys(want)));
    for (const name of Object.keys(status)) expect(status[name], name).toBe(want[name as keyof typeof want]);
    expect(report.models).toEqual({ softmax: null });
    expect(readFileSync(join(out, 'out', 'gpu-bench.md'), 'utf8')).toContain('| bench softmax | failed |');
  }, 100_000);
});
