/**
 * `npm run bench` (tools/bench): which contenders run for every model (--only, --no-peers, --plan), the one JSON
 * schema of every section's report, the load-average warning, and the jax-js peer. The driver runs here with fake
 * contenders (no GPU, no data files) to show that a left-out peer is never made, and for real on lavapipe with
 * ours alone on a few hundred samples to show that each section writes a report its validator accepts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchData, Contender, EpochResult } from '../../tools/bench/contender.js';
import { lenetSection } from '../../tools/bench/lenet.js';
import { mlpSection } from '../../tools/bench/mlp.js';
import { type BenchReport, loadNote, validateBenchReport } from '../../tools/bench/schema.js';
import { type ContenderEntry, DEFAULT_SECTION_OPTIONS, runSection, type Section, selectContenders } from '../../tools/bench/section.js';
import { softmaxSection } from '../../tools/bench/softmax.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BENCH = join(ROOT, 'dist/tools/bench/main.js');
const LAVAPIPE = '/usr/share/vulkan/icd.d/lvp_icd.json';
const SECTIONS: Section[] = [softmaxSection, mlpSection, lenetSection];
const ALL = { only: [], peers: true, reference: true };

/** A contender that trains nothing: fixed seconds, a loss that falls by epoch. */
class FakeContender implements Contender {
  adapter = 'fake adapter';
  skipped?: boolean;
  notes?: string;
  constructor(
    readonly name: string,
    private readonly seconds: number,
    skip = false,
  ) {
    if (skip) {
      this.skipped = true;
      this.notes = 'skipped: not here';
    }
  }
  async setup(): Promise<void> {}
  async trainEpoch(epoch: number): Promise<EpochResult> {
    return { seconds: this.seconds, loss: 1 / (epoch + 1), trainAccuracy: 0.5 };
  }
  async testAccuracy(): Promise<number> {
    return 0.4;
  }
  async dispose(): Promise<void> {}
}

const tinyData = (): BenchData => ({
  trainImages: new Uint8Array(64 * 784),
  trainLabels: new Uint8Array(64),
  testImages: new Uint8Array(16 * 784),
  testLabels: new Uint8Array(16),
  trainCount: 64,
  testCount: 16,
  seed: 1,
  batchSize: 16,
  lr: 0.1,
});

/** A section of fakes: ours, a peer called tfjs-webgpu, one called pytorch (skipped), a reference. Records makes. */
function fakeSection(made: string[]): Section {
  const entry = (name: string, role: ContenderEntry['role'], seconds: number, skip = false): ContenderEntry => ({
    name,
    role,
    make: () => {
      made.push(name);
      return new FakeContender(name, seconds, skip);
    },
  });
  return {
    model: 'fake',
    description: 'fakes',
    flopPerSample: 1000,
    defaultEpochs: 2,
    lr: () => 0.1,
    contenders: () => [entry('ours fake', 'ours', 2), entry('tfjs-webgpu fake', 'peer', 8), entry('pytorch-cpu fake', 'peer', 1, true), entry('CPU reference fake', 'reference', 20)],
    targets: [
      { what: 'ours <= 0.5x tfjs', peer: 'tfjs-webgpu', limit: 0.5 },
      { what: 'ours <= 2x pytorch', peer: 'pytorch', limit: 2 },
    ],
    settings: () => ({ variant: 'plain' }),
  };
}

describe('bench contender selection (section.ts), the same for every model', () => {
  for (const section of SECTIONS) {
    it(`${section.model}: --only ours,pytorch leaves out the tfjs and jax-js peers; ours always runs`, () => {
      const entries = section.contenders(DEFAULT_SECTION_OPTIONS);
      // The section knows those peers, so leaving them out is the selection's doing.
      expect(entries.some((e) => e.name.includes('tfjs-webgpu'))).toBe(true);
      expect(entries.some((e) => e.name.includes('jax-js'))).toBe(true);
      const { run, leftOut } = selectContenders(entries, { ...ALL, only: ['ours', 'pytorch'] });
      expect(run[0]).toBe(entries[0]);
      expect(run.map((e) => e.name).filter((n) => /tfjs|jax/.test(n))).toEqual([]);
      expect(run.some((e) => e.name.startsWith('pytorch-cpu'))).toBe(true);
      expect(leftOut.map((l) => l.why)).toEqual(leftOut.map(() => '--only ours,pytorch'));

      const jax = selectContenders(entries, { ...ALL, only: ['jax'] }).run;
      expect(jax.map((e) => e.role)).toEqual(['ours', 'peer']);
      expect(jax[1].name).toMatch(/^jax-js-webgpu /);
      expect(selectContenders(entries, { ...ALL, peers: false }).run.every((e) => e.role !== 'peer')).toBe(true);
    });
  }

  it('runSection makes only the selected contenders (a left-out peer is never started) and reports every one', async () => {
    const made: string[] = [];
    const lines: string[] = [];
    const report = await runSection(fakeSection(made), { only: ['pytorch'], peers: true, reference: false, timedEpochs: 2, warmupEpochs: 1, section: DEFAULT_SECTION_OPTIONS, data: tinyData(), out: (l) => lines.push(l), log: () => {} });
    expect(made).toEqual(['ours fake', 'pytorch-cpu fake']);
    expect(report.rows.map((r) => [r.name, r.role, r.skipped])).toEqual([
      ['ours fake', 'ours', false],
      ['pytorch-cpu fake', 'peer', true],
    ]);
    expect(validateBenchReport(JSON.parse(JSON.stringify(report)))).toEqual([]);
    // Two timed epochs after the warm-up (epochs 1 and 2 of 0..2): losses 1/2 and 1/3.
    expect(report.rows[0].epochs.map((e) => e.loss)).toEqual([1 / 2, 1 / 3]);
    expect(report.rows[0]).toMatchObject({ medianSeconds: 2, samplesPerSecond: 32, ratioToOurs: 1, testAccuracy: 0.4, finalLoss: 1 / 3 });
    expect(report.rows[1]).toMatchObject({ medianSeconds: null, ratioToOurs: null, finalLoss: null });
    expect(report.targets.map((t) => t.value)).toEqual([null, null]); // tfjs left out, pytorch skipped
    expect(report.settings).toEqual({ variant: 'plain' });
    expect(lines).toContain('| pytorch-cpu fake | - | - | - | - | - | - | - | - | skipped: not here |');
    expect(lines.some((l) => l.startsWith('load average (1, 5, 15 min): '))).toBe(true);

    const all: string[] = [];
    const full = await runSection(fakeSection(all), { ...ALL, timedEpochs: 1, warmupEpochs: 0, section: DEFAULT_SECTION_OPTIONS, data: tinyData(), out: () => {}, log: () => {} });
    expect(all).toEqual(['ours fake', 'tfjs-webgpu fake', 'pytorch-cpu fake', 'CPU reference fake']);
    expect(full.rows.map((r) => r.ratioToOurs)).toEqual([1, 4, null, 10]);
    expect(full.targets[0]).toMatchObject({ peer: 'tfjs-webgpu fake', value: 0.25, met: true });
  });
});

describe('bench report schema (schema.ts)', () => {
  let good: BenchReport;
  beforeAll(async () => {
    good = await runSection(fakeSection([]), { ...ALL, timedEpochs: 2, warmupEpochs: 0, section: DEFAULT_SECTION_OPTIONS, data: tinyData(), out: () => {}, log: () => {} });
  });
  const broken = (edit: (r: Record<string, any>) => void) => {
    const r = JSON.parse(JSON.stringify(good));
    edit(r);
    return validateBenchReport(r);
  };

  it('accepts a report and names what is wrong with a broken one', () => {
    expect(validateBenchReport(JSON.parse(JSON.stringify(good)))).toEqual([]);
    expect(broken((r) => delete r.rows[0].medianSeconds)).toEqual(['rows[0] (ours fake): medianSeconds is not a number >= 0']);
    expect(broken((r) => (r.rows[1].seconds = r.rows[1].medianSeconds))).toEqual([]); // extra fields are allowed
    expect(broken((r) => (r.rows[1].epochs = r.rows[1].epochs.slice(1)))).toEqual(['rows[1] (tfjs-webgpu fake): 1 epochs, not the report\'s 2 timed epochs']);
    expect(broken((r) => (r.rows[2].finalLoss = 0.3))).toEqual(["rows[2] (pytorch-cpu fake): a skipped row's finalLoss is not null"]);
    expect(broken((r) => (r.rows = [r.rows[1], r.rows[0]]))).toEqual(['the first row is not ours (every ratio is taken to it)', "the first row's ratioToOurs is not 1"]);
    expect(broken((r) => (r.schema = 'other/1'))).toEqual(['schema is "other/1", not webgpu-softmax-bench/1']);
    expect(broken((r) => (r.load.end = [1, 2]))).toEqual(['load is not { start: [3 numbers], end: [3 numbers], cores, busy }']);
    expect(broken((r) => (r.rows[0].testAccuracy = 1.5))).toEqual(['rows[0] (ours fake): testAccuracy is above 1']);
    expect(validateBenchReport([])).toEqual(['the report is not an object']);
  });

  it('loadNote warns when the 1-minute load passed the cores less half a core, at the start or the end', () => {
    expect(loadNote({ start: [1.4, 0, 0], end: [1.5, 3, 3], cores: 2 })).toBeNull();
    expect(loadNote({ start: [1.6, 0, 0], end: [0.1, 0, 0], cores: 2 })).toMatch(/^warning: the machine was busy \(1-minute load 1\.60 at the start, 0\.10 at the end, 2 cores\)/);
    expect(loadNote({ start: [0.2, 0, 0], end: [7.6, 0, 0], cores: 8 })).toMatch(/7\.60 at the end, 8 cores/);
  });
});

describe('npm run bench (dist/tools/bench/main.js)', () => {
  let dir: string;
  beforeAll(() => {
    // The bench is compiled apart from src/ (global-setup builds src/ only).
    execFileSync('npx', ['tsc', '-p', 'tools/bench/tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'bench-test-'));
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const bench = (args: string[]) => spawnSync(process.execPath, [BENCH, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: '/tmp' } });
  /** The names --plan says would run. */
  const planned = (args: string[]) => {
    const r = bench([...args, '--plan']);
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.split('\n').filter((l) => l.startsWith('run: ')).map((l) => l.slice(5));
  };

  it('--only holds for every model, in either spelling of the LeNet section (--plan starts nothing)', () => {
    for (const model of ['softmax', 'mlp', 'lenet']) {
      const run = planned(['--model', model, '--only', 'ours,pytorch']);
      expect(run.length, model).toBeGreaterThan(1);
      expect(run.filter((n) => !/^(ours|pytorch)/.test(n)), model).toEqual([]);
      expect(planned(['--model', model]).some((n) => n.startsWith('tfjs-webgpu')), model).toBe(true);
      expect(planned(['--model', model, '--only', 'jax'])).toEqual([expect.stringMatching(/^ours/), expect.stringMatching(/^jax-js-webgpu /)]);
    }
    expect(planned(['lenet', '--only', 'ours,pytorch'])).toEqual(['ours lenet (sigmoid, avg-pool)', 'pytorch-cpu lenet']);
    expect(planned(['lenet', '--activation', 'relu', '--pool', 'max', '--no-peers'])).toEqual(['ours lenet (relu, max-pool)']);
  });

  it('refuses, in one line with exit 2, a model it does not know, an --only no contender matches and a LeNet flag elsewhere', () => {
    expect(bench(['--list-models']).stdout.split('\n')).toEqual(['softmax', 'mlp', 'lenet', 'alexnet', 'vgg11', 'nin', 'googlenet', 'bn-lenet', 'resnet18', 'densenet', '']);
    const cases: Array<[string[], string]> = [
      [['--model', 'nope'], 'unknown --model nope: this bench knows softmax, mlp, lenet, alexnet, vgg11, nin, googlenet, bn-lenet, resnet18, densenet (see --help)'],
      [['lenet', '--only', 'nothing'], "--only nothing: no contender's name contains any of these words (see --plan)"],
      [['--model', 'mlp', '--activation', 'relu'], '--activation and --pool are LeNet\'s: add --model lenet (see --help)'],
      [['lenet', '--pool', 'min'], '--pool takes avg or max, not min (see --help)'],
      [['--epochs', '0'], '--epochs needs a whole number >= 1, not 0 (see --help)'],
      [['--matmul-sizes', '8x16x8'], '--matmul-sizes goes with --matmul (see --help)'],
      [['--matmul', '--matmul-sizes', '8x16'], '--matmul-sizes: 8x16 is not M x K x N in whole numbers (e.g. 256x784x256) (see --help)'],
      [['--matmul-tiles', 'all'], '--matmul-tiles goes with --matmul (see --help)'],
      [['--matmul', '--matmul-tiles', '64x64x8/3x4'], "--matmul-tiles: 64x64x8/3x4 is no tile the shader takes (the workgroup-memory tile's register block must be 4 or 8 rows by 4 or 8 columns (its vec4s, MAX_T4), not 3x4), nor all or none (see --help)"],
      [['--sweep-seconds', '5'], '--sweep-only, --sweep-models and --sweep-seconds go with --sweep (see --help)'],
      [['--sweep', '--sweep-only', 'both'], '--sweep-only takes fused or dense, not both (see --help)'],
      [['--sweep', '--sweep-models', 'mlp,nope'], '--sweep-models: unknown model nope (the models are scratch, concise, mlp-scratch, mlp, lenet, alexnet, vgg11, nin, googlenet, bn-lenet, resnet18, densenet)'],
    ];
    for (const [args, message] of cases) {
      const r = bench(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim()).toBe(message);
    }
  });

  // Ours alone (the first contender always runs; "default" names only the softmax section's), 256 samples.
  for (const model of ['softmax', 'mlp', 'lenet']) {
    it.skipIf(!existsSync(LAVAPIPE))(`${model}: writes a report that fits the schema, with the load average`, () => {
      const json = join(dir, `${model}.json`);
      const r = bench(['--model', model, '--only', 'default', '--no-reference', '--train-count', '256', '--epochs', '1', '--warmup', '0', '--json', json]);
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(readFileSync(json, 'utf8'));
      expect(validateBenchReport(report)).toEqual([]);
      expect(report.model).toBe(model);
      expect(report.rows.map((x: { role: string }) => x.role)).toEqual(['ours']);
      expect(report.rows[0].skipped).toBe(false);
      expect(report.trainCount).toBe(256);
      expect(r.stdout).toMatch(/load average \(1, 5, 15 min\): [\d. ]+ at the start, [\d. ]+ at the end, \d+ cores/);
      expect(r.stdout.includes('warning: the machine was busy')).toBe(report.load.busy);
    }, 300_000);
  }

  // The jax-js peer starts from our weights and sees our minibatches: its losses are ours up to f32 rounding.
  for (const model of ['softmax', 'mlp']) {
    it.skipIf(!existsSync(LAVAPIPE))(`${model} --only jax: the jax-js peer trains the same model as ours on the same adapter`, () => {
      const json = join(dir, `${model}-jax.json`);
      const r = bench(['--model', model, '--only', 'jax', '--train-count', '1024', '--epochs', '1', '--warmup', '0', '--json', json]);
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(readFileSync(json, 'utf8'));
      expect(validateBenchReport(report)).toEqual([]);
      const [ours, jax] = report.rows;
      expect(jax.name).toMatch(/^jax-js-webgpu /);
      expect(jax.skipped, jax.notes).toBe(false);
      expect(jax.notes).toMatch(/^@jax-js\/jax \d+\.\d+\.\d+/);
      expect(jax.adapter).toContain(ours.adapter.split(' (')[0]);
      expect(Math.abs(jax.finalLoss - ours.finalLoss)).toBeLessThan(1e-3);
      expect(Math.abs(jax.testAccuracy - ours.testAccuracy)).toBeLessThan(0.01);
    }, 300_000);
  }
});
