#!/usr/bin/env node
/**
 * webgpu-softmax: one CLI for training, evaluation and inspection. Errors of our own types print one line
 * and exit with their code (2 for usage); anything else is a bug and prints its stack.
 */
import { renameOptions, SoftmaxError, UsageError } from '../errors.js';
import { flagName } from './args.js';
import { dataCommand } from './data.js';
import { evalCommand } from './eval.js';
import { infoCommand } from './info.js';
import { kernelsCommand } from './kernels.js';
import { oneLine, watchStdout } from './output.js';
import { sheetCommand } from './sheet.js';
import { summaryCommand } from './summary.js';
import { trainCommand } from './train.js';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  train: { run: trainCommand, summary: 'train a model (softmax regression, an MLP or LeNet) on Fashion-MNIST on the GPU' },
  eval: { run: evalCommand, summary: 'evaluate a checkpoint on the test set' },
  info: { run: infoCommand, summary: 'show the WebGPU adapter, its features and limits' },
  summary: { run: summaryCommand, summary: "a model's layers, output shapes, parameters and training memory (the book's shape walk)" },
  sheet: { run: sheetCommand, summary: 'draw test images with true and predicted labels as a PNG' },
  data: { run: dataCommand, summary: 'dataset commands: download, preview' },
  kernels: { run: kernelsCommand, summary: "list a model's GPU kernels with their shapes, or print one's WGSL (--show)" },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 2;
  return [
    'usage: webgpu-softmax <command> [flags]',
    '',
    'The classifiers of Dive into Deep Learning on Fashion-MNIST, trained by hand-written WGSL compute shaders through WebGPU.',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`),
    '',
    'Run `webgpu-softmax <command> --help` for its flags.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`webgpu-softmax: unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')}; see --help)`);
    return 2;
  }
  return command.run(rest);
}

const verbose = process.argv.includes('--verbose');
watchStdout(); // a closed stdout (`| head`) is quiet: no "Unhandled 'error' event ... EPIPE"
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof SoftmaxError) {
      // The library names model options as modelOptions.KEY; here they are flags (--kebab-case).
      console.error(`error: ${oneLine(renameOptions(err.message, flagName))}`);
      if (verbose && err.stack && !(err instanceof UsageError)) console.error(err.stack); // a usage error's stack says nothing
      process.exitCode = err.exitCode;
    } else {
      console.error(err instanceof Error && err.stack ? err.stack : String(err));
      process.exitCode = 1;
    }
  },
);
