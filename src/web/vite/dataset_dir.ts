/**
 * Dev server only: serves the Fashion-MNIST files from the directory the CLI would load them from
 * ($FASHION_MNIST_DIR, then Debian's dataset-fashion-mnist, then ./data/fashion-mnist), so the page's
 * "Load from dataset directory" button works without picking files. A static build has no such route.
 *   GET /@dataset/        -> {"dir": "...", "files": {"trainImages": "train-images-idx3-ubyte.gz", ...}} or 404 {"error"}
 *   GET /@dataset/NAME    -> the file's bytes (only the four names listed there)
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';
import { FASHION_MNIST_FILES, FASHION_MNIST_KEYS, type FashionMnistFileKey } from '../../data/dataset.js';
import { LOCAL_DATA_DIR, SYSTEM_DATA_DIR } from '../../data/node.js';

export const DATASET_ROUTE = '/@dataset/';

interface Found {
  dir: string;
  /** File name in `dir` of each of the four files. */
  files: Record<FashionMnistFileKey, string>;
}

function isFile(file: string): boolean {
  return existsSync(file) && statSync(file).isFile();
}

/** The first directory holding all four files (each as NAME.gz or NAME), in the CLI's search order. */
export function findDatasetDir(env: Record<string, string | undefined> = process.env): Found | { error: string } {
  const dirs = [...(env.FASHION_MNIST_DIR ? [env.FASHION_MNIST_DIR] : []), SYSTEM_DATA_DIR, path.resolve(LOCAL_DATA_DIR)];
  for (const dir of dirs) {
    const files = Object.fromEntries(
      FASHION_MNIST_KEYS.map((key) => [key, [`${FASHION_MNIST_FILES[key]}.gz`, FASHION_MNIST_FILES[key]].find((f) => isFile(path.join(dir, f)))]),
    );
    if (Object.values(files).every((f) => f !== undefined)) return { dir, files: files as Record<FashionMnistFileKey, string> };
  }
  return { error: `Fashion-MNIST not found in ${dirs.join(', ')}: install dataset-fashion-mnist (apt), set FASHION_MNIST_DIR, or run \`npm run cli -- data download\`` };
}

export function datasetDirectory(): Plugin {
  return {
    name: 'webgpu-softmax:dataset-directory',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use(DATASET_ROUTE, (req, res) => {
        const found = findDatasetDir();
        const name = decodeURIComponent((req.url ?? '/').split('?')[0].replace(/^\//, ''));
        if (name === '') {
          res.statusCode = 'error' in found ? 404 : 200;
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify(found));
          return;
        }
        if ('error' in found || !Object.values(found.files).includes(name)) {
          res.statusCode = 404;
          res.end(`not a dataset file: ${name}`);
          return;
        }
        const file = path.join(found.dir, name);
        res.setHeader('content-type', 'application/octet-stream');
        res.setHeader('content-length', String(statSync(file).size));
        createReadStream(file).pipe(res);
      });
    },
  };
}
