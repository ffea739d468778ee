/**
 * Checkpoints in the page: download the current model in the CLI's format (model.safetensors, what
 * `webgpu-softmax eval --model` reads) and read one the CLI wrote.
 */
import { CHECKPOINT_FILE, type Checkpoint, decodeCheckpoint, encodeCheckpoint } from '../model/checkpoint.js';
import { describeModel } from '../model/registry.js';
import { download } from './dom.js';

export function downloadCheckpoint(checkpoint: Checkpoint): void {
  download(encodeCheckpoint(checkpoint), CHECKPOINT_FILE);
}

export async function readCheckpoint(file: File): Promise<Checkpoint> {
  return decodeCheckpoint(new Uint8Array(await file.arrayBuffer()), file.name);
}

export function describeCheckpoint(ck: Checkpoint, name: string): string {
  const c = ck.meta.config;
  const samples = c.limit === null ? 'all training samples' : `${c.limit.toLocaleString('en-US')} samples`;
  return `${name}: ${describeModel(ck.meta.model)} model, ${ck.meta.epoch} epoch${ck.meta.epoch === 1 ? '' : 's'} on ${samples}, lr ${c.lr}, batch ${c.batchSize}, seed ${c.seed}`;
}
