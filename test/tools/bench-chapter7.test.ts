/**
 * The chapter 7 sections of `npm run bench` (tools/bench/chapter7.ts) and their PyTorch peer
 * (tools/bench/pytorch_chapter7.py): the peer's networks have our parameter counts (the book's code against our
 * declarations), the flop count agrees with LeNet's hand count, --plan shows the two settings (a reduced one for a
 * CPU adapter by default, the book's size with --gpu-setting, PyTorch CPU left out there) and the peers not written
 * for these models, the refusals of --resize and --limit, and a short real run of BN-LeNet by ours and PyTorch at
 * one --resize on lavapipe.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nn, trainableCount } from '../../src/index.js';
import type { BookDefinition } from '../../src/nn/models/book.js';
import { CHAPTER7_MODELS } from '../../src/nn/models/index.js';
import { CHAPTER7_SECTIONS, trainingFlops } from '../../tools/bench/chapter7.js';
import { LENET_FLOP_PER_SAMPLE } from '../../tools/bench/lenet.js';
import { type BenchReport, validateBenchReport } from '../../tools/bench/schema.js';
import { DEFAULT_SECTION_OPTIONS, selectContenders } from '../../tools/bench/section.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BENCH = join(ROOT, 'dist/tools/bench/main.js');
const SCRIPT = join(ROOT, 'tools/bench/pytorch_chapter7.py');
const LAVAPIPE = '/usr/share/vulkan/icd.d/lvp_icd.json';
const HAS_TORCH = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const KINDS = CHAPTER7_MODELS.map((m) => m.kind);

/** Our trainable parameters of each chapter 7 model at `resize` (else its book size) and `options`. */
function ourCounts(resize?: number, options: Record<string, number> = {}): Record<string, number> {
  return Object.fromEntries(
    (CHAPTER7_MODELS as BookDefinition[]).map((d) => {
      const made = d.declareNetwork(1, 10, { ...(resize === undefined ? {} : { resize }), ...(d.kind === 'vgg11' ? options : {}) });
      return [d.kind, trainableCount(made.net, made.input)];
    }),
  );
}

describe('pytorch_chapter7.py: the book\'s PyTorch code', () => {
  it.skipIf(!HAS_TORCH)("has our parameter counts for all seven, at the book's sizes and at another size and width", () => {
    const counts = (args: string[]) => JSON.parse(execFileSync('/usr/bin/python3', [SCRIPT, '--count-parameters', ...args], { encoding: 'utf8' })) as Record<string, number>;
    const book = counts([]);
    expect(Object.keys(book)).toEqual(expect.arrayContaining(KINDS));
    expect(book).toEqual(ourCounts());
    expect(book.resnet18).toBe(11_178_378); // the table, from the book
    // At 96 px AlexNet's and VGG's first Linear reads another size, and VGG at full width.
    const other = counts(['--resize', '96', '--width-divisor', '1']);
    expect(other).toEqual(ourCounts(96, { widthDivisor: 1 }));
    expect(other.alexnet).not.toBe(book.alexnet);
  }, 60_000);
});

describe('chapter 7 sections', () => {
  it("count LeNet's training flops as lenet.ts counts them by hand", () => {
    const lenet = nn.Sequential(
      nn.Conv2d(1, 6, 5, { padding: 2 }), nn.Sigmoid(), nn.AvgPool2d(2, { stride: 2 }),
      nn.Conv2d(6, 16, 5), nn.Sigmoid(), nn.AvgPool2d(2, { stride: 2 }), nn.Flatten(),
      nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10),
    );
    expect(trainingFlops(lenet, [1, 28, 28])).toBe(LENET_FLOP_PER_SAMPLE);
  });

  it('are one per chapter 7 model; ours and PyTorch run, the tfjs and jax-js peers are left out with a reason', () => {
    expect(CHAPTER7_SECTIONS.map((s) => s.model)).toEqual(KINDS);
    for (const section of CHAPTER7_SECTIONS) {
      const { run, leftOut } = selectContenders(section.contenders({ ...DEFAULT_SECTION_OPTIONS, devices: ['cpu', 'cuda'] }), { only: [], peers: true, reference: true });
      expect(run.map((e) => e.name)).toEqual([`ours ${section.model}`, `pytorch-cpu ${section.model}`, `pytorch-cuda ${section.model}`]);
      expect(leftOut.map((l) => l.entry.name)).toEqual([`tfjs-webgpu ${section.model}`, `jax-js-webgpu ${section.model}`]);
      expect(leftOut[0].why).toMatch(/^not written for the chapter 7 models/);
      // The book's size with --gpu-setting: flops grow with it (except BN-LeNet's, already the book's 28 px).
      const gpu = { ...DEFAULT_SECTION_OPTIONS, gpuSetting: true };
      if (section.model !== 'bn-lenet') expect(section.flops!(gpu), section.model).toBeGreaterThan(section.flops!(DEFAULT_SECTION_OPTIONS));
    }
  });
});

describe('npm run bench --model KIND (dist/tools/bench/main.js)', () => {
  let dir: string;
  beforeAll(() => {
    execFileSync('npx', ['tsc', '-p', 'tools/bench/tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'bench-chapter7-'));
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const bench = (args: string[]) => spawnSync(process.execPath, [BENCH, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: '/tmp' } });
  const plan = (args: string[]) => {
    const r = bench([...args, '--plan']);
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.split('\n');
  };

  it('lists the chapter 7 models, but not for a CPU adapter (tools/gpu-bench/run)', () => {
    expect(bench(['--list-models']).stdout.split('\n').filter(Boolean)).toEqual(['softmax', 'mlp', 'lenet', ...KINDS]);
    expect(bench(['--list-models', '--cpu-adapter']).stdout.split('\n').filter(Boolean)).toEqual(['softmax', 'mlp', 'lenet']);
  });

  it("plans a reduced setting by default and the book's size with --gpu-setting, PyTorch CPU left out there", () => {
    const cpu = plan(['--model', 'resnet18']);
    expect(cpu).toContain('settings: setting cpu, resize 28, batch 256, lr 0.05');
    expect(cpu).toContain('epochs: 0 warm-up + 1 timed, 10,000 training samples');
    expect(cpu).toContain('run: pytorch-cpu resnet18');
    const gpu = plan(['--model', 'resnet18', '--gpu-setting', '--device', 'cpu,cuda']);
    expect(gpu).toContain('settings: setting gpu, resize 96, batch 256, lr 0.05');
    expect(gpu).toContain('epochs: 0 warm-up + 1 timed, all the training samples');
    expect(gpu.filter((l) => l.startsWith('run: '))).toEqual(['run: ours resnet18', 'run: pytorch-cuda resnet18']);
    expect(gpu.find((l) => l.startsWith('left out: pytorch-cpu'))).toMatch(/--gpu-setting: PyTorch on 1 CPU thread\(s\) takes hours an epoch at 96 px/);
    // --resize and --limit change either; the other sections keep their GPU epochs (3).
    expect(plan(['--model', 'alexnet', '--gpu-setting', '--resize', '112', '--limit', '512'])).toEqual(expect.arrayContaining(['settings: setting gpu, resize 112, batch 128, lr 0.01', 'epochs: 0 warm-up + 1 timed, 512 training samples']));
    expect(plan(['--model', 'lenet', '--gpu-setting'])).toContain('epochs: 1 warm-up + 3 timed, all the training samples');
  });

  it('refuses, in one line with exit 2, a --resize too small or for another model, and two different limits', () => {
    const cases: Array<[string[], string]> = [
      [['--model', 'alexnet', '--resize', '32'], '--resize 32 is too small for model alexnet: its windows need images of at least 65x65 (see --help)'],
      [['--model', 'mlp', '--resize', '32'], "--resize is for chapter 7's models (alexnet, vgg11, nin, googlenet, bn-lenet, resnet18, densenet), not mlp (see --help)"],
      [['--model', 'bn-lenet', '--limit', '100', '--train-count', '200'], '--limit 100 and --train-count 200 are one setting: give one (see --help)'],
      [['--model', 'bn-lenet', '--cpu-adapter'], '--cpu-adapter goes with --list-models (see --help)'],
    ];
    for (const [args, message] of cases) {
      const r = bench(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim()).toBe(message);
    }
  });

  // One short run for the two tests below: BN-LeNet at 32 px on 512 samples (2 steps), ours and PyTorch.
  let report: BenchReport | null = null;
  const runOnce = () => {
    if (report) return report;
    const json = join(dir, 'bn-lenet.json');
    const r = bench(['--model', 'bn-lenet', '--resize', '32', '--only', 'ours,pytorch', '--limit', '512', '--json', json]);
    expect(r.status, r.stderr).toBe(0);
    report = JSON.parse(readFileSync(json, 'utf8'));
    expect(validateBenchReport(report)).toEqual([]);
    return report!;
  };

  it.skipIf(!existsSync(LAVAPIPE))('bn-lenet --resize 32: ours trains at that size and the report fits the schema', () => {
    const r = runOnce();
    expect([r.model, r.trainCount, r.batchSize, r.lr, r.settings.resize]).toEqual(['bn-lenet', 512, 256, 1, '32']);
    // 32 px gives BN-LeNet's first Linear 400 inputs instead of the book's 256: more flops than at 28 px.
    expect(r.flopPerSample).toBeGreaterThan(CHAPTER7_SECTIONS.find((s) => s.model === 'bn-lenet')!.flopPerSample);
    const ours = r.rows[0];
    expect([ours.name, ours.skipped]).toEqual(['ours bn-lenet', false]);
    expect(ours.finalLoss !== null && Number.isFinite(ours.finalLoss) && ours.finalLoss > 0).toBe(true);
  }, 300_000);

  it.skipIf(!existsSync(LAVAPIPE) || !HAS_TORCH)('bn-lenet --resize 32: PyTorch trains the same network at the same size', () => {
    const [ours, peer] = runOnce().rows;
    expect([peer.name, peer.skipped]).toEqual(['pytorch-cpu bn-lenet', false]);
    expect(peer.notes).toMatch(/^bn-lenet at 32 px/);
    // Two inits of one network after 2 steps at lr 1.0: losses of the same order.
    expect(Math.abs(peer.finalLoss! - ours.finalLoss!)).toBeLessThan(1);
  }, 300_000);
});
