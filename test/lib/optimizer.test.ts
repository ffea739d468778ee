/**
 * The library's optimizers (issue 21): `optim.SGD` and `optim.Adam` as PyTorch names them, checked where they are
 * made; `fit(..., { optimizer })` trains with one and gives the CLI's figures and state to the last digit; the
 * combinations that make no sense are refused before any GPU work.
 */
import { describe, expect, it } from 'vitest';
import { ArgumentError, fit, fitSettings, type Gpu, optim, UsageError } from '../../src/index.js';
import { loadFashionMnist } from '../../src/data/node.js';
import { limitSplit } from '../../src/data/dataset.js';
import { testGpu } from '../kernels/harness.js';
import { tinySplit } from '../data/helpers.js';
import { runCli } from '../cli/run.js';

describe('optim.SGD and optim.Adam', () => {
  it("take PyTorch's defaults and give plain data", () => {
    expect(optim.SGD({ lr: 0.1 })).toEqual({ kind: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0 });
    expect(optim.SGD({ lr: 0.1, momentum: 0.9, weightDecay: 5e-4 })).toEqual({ kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4 });
    expect(optim.Adam()).toEqual({ kind: 'adam', lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 });
    expect(JSON.parse(JSON.stringify(optim.Adam({ lr: 3e-4, betas: [0.8, 0.9] })))).toEqual(optim.Adam({ lr: 3e-4, betas: [0.8, 0.9] }));
  });

  it('refuse what PyTorch refuses (and what the GPU cannot hold), naming the argument', () => {
    const cases: Array<[() => unknown, string]> = [
      [() => optim.SGD({ lr: 0 }), 'optim.SGD: lr must be a number above 0, not 0'],
      [() => optim.SGD({} as { lr: number }), 'optim.SGD: lr must be a number above 0, not undefined'],
      [() => optim.SGD({ lr: 0.1, momentum: -0.5 }), 'optim.SGD: momentum must be a number at least 0 and below 1, not -0.5'],
      [() => optim.SGD({ lr: 0.1, weightDecay: Number.NaN }), 'optim.SGD: weightDecay must be a number at least 0, not null'],
      [() => optim.SGD({ lr: 1e-50 }), 'optim.SGD: lr 1e-50 is 0 in the GPU\'s 32-bit floats (the smallest they hold reliably is 1.2e-38)'],
      [() => optim.Adam({ betas: [0.9, 1] }), 'optim.Adam: betas[1] must be a number at least 0 and below 1, not 1'],
      [() => optim.Adam({ betas: [0.9] as unknown as [number, number] }), 'optim.Adam: betas must be two numbers [beta1, beta2], not [0.9]'],
      [() => optim.Adam({ eps: -1 }), 'optim.Adam: eps must be a number at least 0, not -1'],
    ];
    for (const [make, message] of cases) {
      expect(make).toThrow(UsageError);
      expect(make).toThrow(message);
    }
  });
});

describe('fit with an optimizer', () => {
  const data = { train: { ...tinySplit(64, 1), count: 64 }, test: { ...tinySplit(16, 2), count: 16 } };
  it('refuses what cannot train, before any GPU work', () => {
    const cases: Array<[Parameters<typeof fitSettings>[1], string]> = [
      [{ model: 'scratch', optimizer: optim.Adam() }, "model scratch writes out plain SGD (the book's teaching form) and cannot train with adam, betas 0.9/0.999, eps 1e-8; use model concise, whose parameters any optimizer updates"],
      [{ model: 'mlp-scratch', optimizer: optim.SGD({ lr: 0.1, momentum: 0.9 }) }, "model mlp-scratch writes out plain SGD (the book's teaching form) and cannot train with sgd, momentum 0.9; use model mlp, whose parameters any optimizer updates"],
      [{ model: 'mlp', lr: 0.1, optimizer: optim.SGD({ lr: 0.1 }) }, 'options.lr and options.optimizer both give a learning rate: give it once, in optim.SGD({ lr }) or optim.Adam({ lr })'],
      [{ model: 'mlp', modelOptions: { weightDecay: 0.01 }, optimizer: optim.SGD({ lr: 0.1, weightDecay: 0.001 }) }, 'model mlp has weight decay 0.01 among its options and the optimizer has 0.001: give it once'],
      [{ model: 'concise', modelOptions: { kernels: 'fused' }, optimizer: optim.Adam() }, 'modelOptions.kernels fused: they update with plain SGD, not adam, betas 0.9/0.999, eps 1e-8; use modelOptions.kernels separate or auto'],
      [{ model: 'mlp', optimizer: { kind: 'adagrad', lr: 0.1 } as never }, 'options.optimizer: unknown optimizer "adagrad" (this build has sgd, adam)'],
    ];
    for (const [options, message] of cases) {
      expect(() => fitSettings(data, { batchSize: 16, ...options })).toThrow(ArgumentError);
      expect(() => fitSettings(data, { batchSize: 16, ...options })).toThrow(message);
    }
    expect(fitSettings(data, { model: 'mlp', batchSize: 16, optimizer: optim.Adam() }).lr).toBe(0.001);
  });

  it("trains as the CLI's --optimizer adam does, to the last digit, and hands back the optimizer's state", async () => {
    const gpu: Gpu = await testGpu();
    const fashion = await loadFashionMnist();
    const result = await fit(gpu, { train: limitSplit(fashion.train, 512), test: fashion.test }, { model: 'mlp', optimizer: optim.Adam({ lr: 0.002, betas: [0.8, 0.99] }), epochs: 1, batchSize: 128 });
    expect(result.checkpoint.meta.optimizer).toEqual(optim.Adam({ lr: 0.002, betas: [0.8, 0.99] }));
    expect([...result.checkpoint.optimizerState!['optimizer.step'].data]).toEqual([4]);
    const cli = await runCli(['train', '--model', 'mlp', '--optimizer', 'adam', '--lr', '0.002', '--betas', '0.8,0.99', '--epochs', '1', '--limit', '512', '--batch-size', '128', '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    const printed = JSON.parse(cli.stdout);
    const { seconds: _a, ...mine } = result.history[0];
    const { seconds: _b, ...theirs } = printed.epochs[0];
    expect(mine).toEqual(theirs);
    expect(printed.optimizer).toEqual(result.checkpoint.meta.optimizer);
  });
});
