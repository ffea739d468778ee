/**
 * The page's file access for the dataset: which picked or dropped file is which of the four Fashion-MNIST
 * files (by name, with or without .gz), and, in dev mode, the files of the local dataset directory. The
 * decoding itself is src/data/dataset.ts with the browser's DecompressionStream.
 */
import {
  decodeFashionMnistFiles, FASHION_MNIST_FILES, FASHION_MNIST_KEYS, type FashionMnist, type FashionMnistFileKey, gunzipWeb,
  MAX_FILE_BYTES,
} from '../data/dataset.js';
import { DataError } from '../errors.js';

export const EXPECTED_NAMES = FASHION_MNIST_KEYS.map((k) => `${FASHION_MNIST_FILES[k]}.gz`);

/**
 * Which file a name is. The release's base names are matched anywhere in the name, so "fashion-" prefixes
 * and browser renames like "train-images-idx3-ubyte (1).gz" still work; anything else is not Fashion-MNIST.
 */
export function keyOfFileName(name: string): FashionMnistFileKey | null {
  const base = name.toLowerCase();
  return FASHION_MNIST_KEYS.find((k) => base.includes(FASHION_MNIST_FILES[k])) ?? null;
}

export interface Sorted {
  files: Partial<Record<FashionMnistFileKey, File>>;
  /** Names that are none of the four files. */
  unknown: string[];
}

/** Sorts picked files into the four slots; a later file for the same slot replaces the earlier one. */
export function sortFiles(picked: Iterable<File>, into: Partial<Record<FashionMnistFileKey, File>> = {}): Sorted {
  const files = { ...into };
  const unknown: string[] = [];
  for (const file of picked) {
    const key = keyOfFileName(file.name);
    if (key) files[key] = file;
    else unknown.push(file.name);
  }
  return { files, unknown };
}

export function missingKeys(files: Partial<Record<FashionMnistFileKey, unknown>>): FashionMnistFileKey[] {
  return FASHION_MNIST_KEYS.filter((k) => files[k] === undefined);
}

async function fileBytes(file: File): Promise<Uint8Array> {
  if (file.size > MAX_FILE_BYTES) throw new DataError(`${file.name}: ${file.size} bytes is larger than any Fashion-MNIST file; wrong file?`);
  return new Uint8Array(await file.arrayBuffer());
}

/** Reads and decodes the four files; a wrong file fails with a DataError naming it and what is wrong. */
export async function decodeFiles(files: Record<FashionMnistFileKey, File>): Promise<FashionMnist> {
  const bytes = {} as Record<FashionMnistFileKey, Uint8Array>;
  const names = {} as Record<FashionMnistFileKey, string>;
  for (const key of FASHION_MNIST_KEYS) {
    bytes[key] = await fileBytes(files[key]);
    names[key] = files[key].name;
  }
  return decodeFashionMnistFiles(bytes, gunzipWeb, { names, source: 'files' });
}

/** The dev server's route to the local dataset directory (src/web/vite/dataset_dir.ts). */
const DATASET_ROUTE = '/@dataset/';

/** Dev mode only: loads the four files from the directory the CLI would use, through the dev server. */
export async function loadDatasetDirectory(): Promise<FashionMnist> {
  const index = await fetch(DATASET_ROUTE);
  const listing = (await index.json()) as { dir: string; files: Record<FashionMnistFileKey, string> } | { error: string };
  if ('error' in listing) throw new DataError(listing.error);
  const bytes = {} as Record<FashionMnistFileKey, Uint8Array>;
  const names = {} as Record<FashionMnistFileKey, string>;
  await Promise.all(
    FASHION_MNIST_KEYS.map(async (key) => {
      const name = listing.files[key];
      const response = await fetch(DATASET_ROUTE + encodeURIComponent(name));
      if (!response.ok) throw new DataError(`${listing.dir}/${name}: the dev server answered ${response.status}`);
      bytes[key] = new Uint8Array(await response.arrayBuffer());
      names[key] = `${listing.dir}/${name}`;
    }),
  );
  return decodeFashionMnistFiles(bytes, gunzipWeb, { names, source: listing.dir });
}
