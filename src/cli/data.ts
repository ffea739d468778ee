import { baseUrlProblem, DEFAULT_BASE_URL, downloadFashionMnist, loadFashionMnist, LOCAL_DATA_DIR, MAX_TIMEOUT_MS } from '../data/node.js';
import { writePng } from '../report/png.js';
import { previewLayout, previewPicture } from '../report/preview.js';
import { UsageError } from '../errors.js';
import { checkOutput } from '../io/files.js';
import { parseFlags, usageHint } from './args.js';
import { checkPictureSize } from './pictures.js';
import { Output } from './output.js';
import { ProgressBar } from './progress.js';

export const downloadSpec = {
  usage: 'webgpu-softmax data download [flags]',
  summary:
    'Download the four Fashion-MNIST files from the official mirror and verify the SHA-256 of their decompressed\n' +
    'bytes. Files already present and verified are kept; a bad or partial download never replaces a good file.',
  flags: {
    dir: { type: 'string' as const, default: LOCAL_DATA_DIR, placeholder: 'DIR', help: 'where to put the files' },
    url: { type: 'string' as const, default: DEFAULT_BASE_URL, placeholder: 'URL', help: 'mirror to download from' },
    retries: { type: 'int' as const, default: 3, min: 0, max: 20, help: 'retries per file after a network error, HTTP error, truncation or stall' },
    timeout: { type: 'int' as const, default: 60, min: 1, max: Math.floor(MAX_TIMEOUT_MS / 1000), placeholder: 'SECONDS', help: 'give up on a connection that sends nothing for this long' },
    json: { type: 'boolean' as const, help: 'print one JSON object on stdout: {"dir","files"}' },
    verbose: { type: 'boolean' as const, help: 'print stack traces on errors' },
  },
  examples: ['webgpu-softmax data download', 'webgpu-softmax data download --dir /tmp/fmnist'],
};

async function downloadCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(downloadSpec, argv, console.log);
  if (!flags) return 0;
  const badUrl = baseUrlProblem(flags.url);
  if (badUrl) throw new UsageError(`--url ${badUrl} ${usageHint(downloadSpec)}`);
  const out = new Output(flags.json);
  const bar = new ProgressBar();
  const result = await downloadFashionMnist({
    dir: flags.dir,
    baseUrl: flags.url,
    retries: flags.retries,
    timeoutMs: flags.timeout * 1000,
    onProgress: (e) => {
      if (e.phase === 'bytes' && e.received !== undefined) {
        if (e.total) bar.update(e.file, Math.round(e.received / 1024), Math.round(e.total / 1024));
        return;
      }
      bar.clear();
      out.line(e.message);
    },
  });
  bar.clear();
  out.line(`Fashion-MNIST is in ${result.dir}`);
  out.result(result);
  return 0;
}

export const previewSpec = {
  usage: 'webgpu-softmax data preview --out FILE.png [flags]',
  summary: 'Draw a grid of training images with their labels, as d2l 3.5 shows them.',
  flags: {
    out: { type: 'string' as const, placeholder: 'FILE', help: 'PNG file to write' },
    count: { type: 'int' as const, default: 36, min: 1, max: 10000, help: 'images on the grid' },
    columns: { type: 'int' as const, default: 12, min: 1, max: 100, help: 'images per row' },
    scale: { type: 'int' as const, default: 3, min: 1, max: 16, help: 'integer upscale of each 28x28 image' },
    data: { type: 'string' as const, placeholder: 'DIR', help: 'Fashion-MNIST directory (same search order as train)' },
    verbose: { type: 'boolean' as const, help: 'print stack traces on errors' },
  },
};

async function previewCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(previewSpec, argv, console.log);
  if (!flags) return 0;
  if (!flags.out) throw new UsageError('data preview needs --out FILE.png (see `webgpu-softmax data preview --help`)');
  // Before the data is read: the picture's size (the most tiles asked for) and the place it goes.
  checkPictureSize(previewLayout({ count: flags.count, columns: flags.columns, scale: flags.scale }), flags, usageHint(previewSpec));
  checkOutput(flags.out, 'PNG');
  const { train } = await loadFashionMnist({ root: flags.data });
  const { image } = previewPicture({ images: train.images, labels: train.labels, count: Math.min(flags.count, train.count), columns: flags.columns, scale: flags.scale });
  await writePng(flags.out, image);
  new Output(false).line(`wrote ${flags.out} (${image.width}x${image.height})`);
  return 0;
}

const SUBCOMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; summary: string }> = {
  download: { run: downloadCommand, summary: 'download and verify the dataset from the official mirror' },
  preview: { run: previewCommand, summary: 'draw a grid of training images with their labels as a PNG' },
};

export const dataSummary = 'dataset commands: ' + Object.keys(SUBCOMMANDS).join(', ');

export async function dataCommand(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(['usage: webgpu-softmax data <subcommand> [flags]', '', 'subcommands:', ...Object.entries(SUBCOMMANDS).map(([n, s]) => `  ${n.padEnd(10)}${s.summary}`)].join('\n'));
    return name ? 0 : 2;
  }
  const sub = SUBCOMMANDS[name];
  if (!sub) throw new UsageError(`unknown data subcommand "${name}" (subcommands: ${Object.keys(SUBCOMMANDS).join(', ')})`);
  return sub.run(rest);
}

