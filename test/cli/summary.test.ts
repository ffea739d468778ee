/**
 * `webgpu-softmax summary`: the book's parameter counts for concise softmax regression (3.7) and chapter 7's models (d2l-zh 7.1-7.7, PyTorch: weights,
 * biases and BatchNorm's scale and shift, not its running statistics), the shape walk, and its refusals.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './run.js';

/** The book's code's sum(p.numel() for p in net.parameters()), 1 input channel, 10 classes, at the book's size. */
const BOOK: Array<[string, string[], number]> = [
  ['concise', [], 7_850],
  ['bn-lenet', [], 44_878],
  ['alexnet', [], 46_764_746],
  ['vgg11', ['--width-divisor', '1'], 128_806_154],
  ['nin', [], 1_992_166],
  ['googlenet', [], 5_977_530],
  ['resnet18', [], 11_178_378],
  ['densenet', [], 758_226],
];

interface Summary {
  parameters: number;
  layers: Array<{ name: string; output: number[]; parameters: number }>;
  bytes: number;
}

describe('summary --json', () => {
  for (const [model, flags, parameters] of BOOK) {
    it(`${model} ${flags.join(' ')}: ${parameters.toLocaleString('en-US')} parameters, as the book's PyTorch code`, async () => {
      const r = await runCli(['summary', '--model', model, ...flags, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const s = JSON.parse(r.stdout) as Summary;
      expect(s.parameters).toBe(parameters);
      expect(s.layers.reduce((n, l) => n + l.parameters, 0)).toBe(parameters);
      expect(s.layers.at(-1)?.output).toEqual([1, 10]);
      expect(s.bytes).toBeGreaterThan(parameters * 8); // the parameters and their gradients at least
    });
  }

  it("resnet18's shape walk is the book's at 96 px (7.6: 64x24x24, 64x24x24, 128x12x12, 256x6x6, 512x3x3, ...)", async () => {
    const r = await runCli(['summary', '--model', 'resnet18', '--json']);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.layers.map((l) => `${l.name} ${l.output.join('x')}`)).toEqual([
      'Sequential 1x64x24x24', 'Sequential 1x64x24x24', 'Sequential 1x128x12x12', 'Sequential 1x256x6x6', 'Sequential 1x512x3x3',
      'AdaptiveAvgPool2d 1x512x1x1', 'Flatten 1x512', 'Linear 1x10',
    ]);
  });

  it('memory grows with the batch size and --resize changes the walk; a human table without --json', async () => {
    const [a, b] = await Promise.all([runCli(['summary', '--model', 'bn-lenet', '--batch-size', '64', '--json']), runCli(['summary', '--model', 'bn-lenet', '--batch-size', '128', '--resize', '32', '--json'])]);
    const [sa, sb] = [JSON.parse(a.stdout) as Summary, JSON.parse(b.stdout) as Summary];
    expect(sb.bytes).toBeGreaterThan(sa.bytes);
    expect(sa.layers[0].output).toEqual([1, 6, 24, 24]);
    expect(sb.layers[0].output).toEqual([1, 6, 28, 28]);
    const human = await runCli(['summary', '--model', 'bn-lenet']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Conv2d +output shape: \[1, 6, 24, 24\]  156 parameters/);
    expect(human.stdout).toMatch(/parameters: 44,878/);
    expect(human.stdout).toMatch(/GPU memory to train at batch size 256: [\d.]+ MiB/);
  });

  it('says a batch past one 128 MiB binding trains in chunks (and that BatchNorm then normalizes each), and names a parameter no batch size fits', async () => {
    const r = await runCli(['summary', '--model', 'alexnet']);
    expect(r.stdout).toMatch(/note: at batch size 128, layer 0 \(Conv2d, \[96, 54, 54\]\) is 137 MiB, past the 128 MiB a storage binding holds: each batch trains in 2 chunks of 64 rows, their gradients summed\n/);
    const fits = await runCli(['summary', '--model', 'alexnet', '--batch-size', '119']);
    expect(fits.stdout).not.toMatch(/note:/);
    const resnet = await runCli(['summary', '--model', 'resnet18']);
    expect(resnet.stdout).toMatch(/each batch trains in 2 chunks of 128 rows, their gradients summed \(BatchNorm normalizes each chunk by the chunk's statistics\)/);
    // The memory at batch 256 in chunks of 128: the step's buffers at 128 rows, and a sum beside each gradient.
    const [at128, at256] = await Promise.all([runCli(['summary', '--model', 'resnet18', '--batch-size', '128', '--json']), runCli(['summary', '--model', 'resnet18', '--json'])]);
    const gradients = 4 * (JSON.parse(at128.stdout) as Summary).parameters;
    expect((JSON.parse(at256.stdout) as Summary).bytes - (JSON.parse(at128.stdout) as Summary).bytes).toBeGreaterThanOrEqual(gradients);
    expect((JSON.parse(at256.stdout) as Summary).bytes - (JSON.parse(at128.stdout) as Summary).bytes).toBeLessThan(gradients + 2 ** 16);
    const vgg = await runCli(['summary', '--model', 'vgg11', '--width-divisor', '1']);
    expect(vgg.stdout).toMatch(/parameter 6\.weight is 392 MiB.*no batch size fits/);
  });

  it('refuses in one line: no --model, a hand-wired model, an option the model lacks, a --resize too small', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /summary needs --model M/],
      [['--model', 'mlp'], /--model must be one of concise, lenet, alexnet, vgg11/],
      [['--model', 'resnet18', '--width-divisor', '2'], /model resnet18 has no option --width-divisor/],
      [['--model', 'alexnet', '--resize', '64'], /--resize 64 is too small for model alexnet: its windows need images of at least 65x65/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['summary', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});
