import { describe, expect, it } from 'vitest';
import { runCli } from './run.js';

describe('CLI usage and flag errors', () => {
  for (const command of ['train', 'eval', 'info']) {
    it(`${command} --help prints its flags and exits 0`, async () => {
      const r = await runCli([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`usage: webgpu-softmax ${command}`);
      expect(r.stdout).toContain('--help');
    });
  }

  it('with no command prints usage and exits 2', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('commands:');
  });

  const bad: Array<[string[], RegExp]> = [
    [['frobnicate'], /unknown command "frobnicate"/],
    [['train', '--epocs', '3'], /unknown flag --epocs.*--help/],
    [['train', '--epochs', 'three'], /--epochs needs a number, got "three"/],
    [['train', '--epochs', '2.5'], /--epochs needs a whole number/],
    [['train', '--batch-size', '0'], /--batch-size must be at least 1, got 0/],
    [['train', '--lr', '-0.1'], /--lr must be greater than 0/],
    [['train', '--model', 'resnet'], /--model must be one of scratch, concise, /],
    [['train', '--limit', '100', '--batch-size', '256'], /--batch-size 256 is larger than the 100 training samples/],
    [['eval'], /eval needs --model PATH/],
  ];
  for (const [args, message] of bad) {
    it(`${args.join(' ')} -> one-line error, exit 2`, async () => {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });
  }
});
