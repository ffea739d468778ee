/**
 * Dev server only: serves the Fashion-MNIST files from the directory the CLI would load them from
 * ($FASHION_MNIST_DIR, then Debian's dataset-fashion-mnist, then ./data/fashion-mnist), so the page's
 * "Load from dataset directory" button works without picking files. A static build has no such route.
 *   GET /@dataset/        -> {"dir": "...", "files": {"trainImages": "train-images-idx3-ubyte.gz", ...}} or 404 {"error"}
 *   GET /@dataset/NAME    -> the file's bytes (only the four names listed there)
 */
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';
import { FASHION_MNIST_KEYS, type FashionMnistFileKey } from '../../data/dataset.js';
import { findFashionMnist, notFoundMessage, searchOrder } from '../../data/node.js';

export const DATASET_ROUTE = '/@dataset/';

interface Found {
  dir: string;
  /** File name in `dir` of each of the four files. */
  files: Record<FashionMnistFileKey, string>;
}

/**
 * The directory the CLI would load from, by the loader's own search (findFashionMnist), with each file's name in
 * it; or the loader's message when there is none (or a directory holds only some of the files).
 */
export async function findDatasetDir(env: Record<string, string | undefined> = process.env): Promise<Found | { error: string }> {
  const searchDirs = [...searchOrder({ env: {} })].map((d) => path.resolve(d));
  try {
    const location = await findFashionMnist({ env, searchDirs });
    if (!location) return { error: notFoundMessage(searchOrder({ env, searchDirs })) };
    const files = Object.fromEntries(FASHION_MNIST_KEYS.map((key) => [key, path.basename(location.files[key])])) as Record<FashionMnistFileKey, string>;
    return { dir: location.dir, files };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

export function datasetDirectory(): Plugin {
  return {
    name: 'webgpu-softmax:dataset-directory',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use(DATASET_ROUTE, async (req, res) => {
        const found = await findDatasetDir();
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
