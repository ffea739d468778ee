/**
 * The decoded dataset kept in this browser's IndexedDB, so a reload does not mean picking the four files again
 * (55 MB: the images and labels of both splits, as decoded and checked by src/data/dataset.ts). Nothing leaves
 * the machine; "Forget" deletes it. Every failure here (private mode, quota, a browser without IndexedDB) only
 * means the dataset is not remembered: it is reported, never in the way of training.
 */
import type { FashionMnist, FashionMnistSplit } from '../data/dataset.js';
import { IMAGE_PIXELS } from '../report/classes.js';

const DB_NAME = 'webgpu-softmax';
const STORE = 'dataset';
const KEY = 'fashion-mnist';

/** What is stored: the two splits' bytes, where they came from, and when. */
interface Stored {
  version: 1;
  source: string;
  savedAt: string;
  train: { images: Uint8Array; labels: Uint8Array; count: number };
  test: { images: Uint8Array; labels: Uint8Array; count: number };
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') return reject(new Error('this browser has no IndexedDB'));
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB would not open'));
  });
}

async function transact<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error ?? request.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

const split = (s: FashionMnistSplit) => ({ images: s.images, labels: s.labels, count: s.count });

export async function saveDataset(data: FashionMnist): Promise<void> {
  const stored: Stored = { version: 1, source: data.source, savedAt: new Date().toISOString(), train: split(data.train), test: split(data.test) };
  await transact('readwrite', (store) => store.put(stored, KEY));
}

/** The stored dataset and when it was saved, or null when there is none (or it is not one this page wrote). */
export async function loadStoredDataset(): Promise<{ data: FashionMnist; savedAt: string } | null> {
  const stored = (await transact('readonly', (store) => store.get(KEY))) as Stored | undefined;
  if (!stored || stored.version !== 1) return null;
  const restore = (s: Stored['train']): FashionMnistSplit => {
    if (!(s.images instanceof Uint8Array) || !(s.labels instanceof Uint8Array) || s.images.length !== s.count * IMAGE_PIXELS || s.labels.length !== s.count) {
      throw new Error('the stored dataset is damaged; load the four files again');
    }
    return { images: s.images, labels: s.labels, count: s.count, rows: 28, cols: 28 };
  };
  return { data: { train: restore(stored.train), test: restore(stored.test), source: stored.source }, savedAt: stored.savedAt };
}

export async function forgetDataset(): Promise<void> {
  await transact('readwrite', (store) => store.delete(KEY));
}
