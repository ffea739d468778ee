/**
 * Checkpoints in the page: download the current model in the CLI's format (model.safetensors, what
 * `webgpu-softmax eval --model` reads) and read one the CLI wrote.
 */
import { CHECKPOINT_FILE, type Checkpoint, decodeCheckpoint, encodeCheckpoint } from '../model/checkpoint.js';
import { describeModel } from '../model/registry.js';
import { CheckpointError } from '../errors.js';
import { download } from './dom.js';

export function downloadCheckpoint(checkpoint: Checkpoint): void {
  download(encodeCheckpoint(checkpoint), CHECKPOINT_FILE);
}

/** File kinds a person might pick by mistake, by their first bytes. */
const SIGNATURES: Array<[string, number[]]> = [
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['a JPEG image', [0xff, 0xd8, 0xff]],
  ['a gzip file', [0x1f, 0x8b]],
  ['a zip archive', [0x50, 0x4b, 0x03, 0x04]],
  ['a PDF', [0x25, 0x50, 0x44, 0x46]],
];

/**
 * Why `bytes` cannot be a safetensors file, or null: one starts with its header's length (8 bytes, little-endian,
 * less than the file) followed by the header's JSON '{'. Checked here so a wrong file is named as such rather than
 * reported by the decoder as an absurd header length.
 */
export function notSafetensors(bytes: Uint8Array): string | null {
  const kind = SIGNATURES.find(([, magic]) => magic.every((b, i) => bytes[i] === b))?.[0];
  const headerLength = bytes.length >= 8 ? new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true) : 0n;
  const header = !kind && bytes.length > 8 && bytes[8] === 0x7b;
  if (header && headerLength <= BigInt(bytes.length - 8)) return null;
  const why = kind ?? (bytes.length <= 8 ? `only ${bytes.length} bytes` : header ? `truncated: its header alone needs ${headerLength} bytes` : 'it does not start with a safetensors header');
  return `not a safetensors checkpoint (${why}); ` +
    `the CLI's train --out DIR writes DIR/${CHECKPOINT_FILE}, and this page's Download checkpoint saves one`;
}

export async function readCheckpoint(file: File): Promise<Checkpoint> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const problem = notSafetensors(bytes);
  if (problem) throw new CheckpointError(`${file.name}: ${problem}`);
  return decodeCheckpoint(bytes, file.name);
}

export function describeCheckpoint(ck: Checkpoint, name: string): string {
  const c = ck.meta.config;
  const samples = c.limit === null ? 'all training samples' : `${c.limit.toLocaleString('en-US')} samples`;
  return `${name}: ${describeModel(ck.meta.model)} model, ${ck.meta.epoch} epoch${ck.meta.epoch === 1 ? '' : 's'} on ${samples}, lr ${c.lr}, batch ${c.batchSize}, seed ${c.seed}`;
}
