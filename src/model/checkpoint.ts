/**
 * Checkpoints in the safetensors layout (what PyTorch and Hugging Face use): an 8-byte little-endian header
 * length, a JSON header naming each tensor's dtype, shape and byte range, then the raw little-endian data.
 * One file, so a write is atomic with a single rename, the browser can download and load it as one blob,
 * and Python reads it with `safetensors.numpy.load_file`. Training facts ride in the header's __metadata__.
 * No Node APIs here; file I/O is in ./checkpoint_file.ts.
 */
import { CheckpointError } from '../errors.js';
import type { ModelKind } from './model.js';
import { MODEL_KINDS } from './model.js';
import type { Parameters } from './parameters.js';

export const CHECKPOINT_FORMAT = 'webgpu-softmax';
export const CHECKPOINT_VERSION = 1;
export const CHECKPOINT_FILE = 'model.safetensors';
const MAX_HEADER_BYTES = 1 << 20;

export interface EpochRecord {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  testAccuracy: number | null;
  seconds: number;
}

export interface CheckpointMeta {
  model: ModelKind;
  /** Completed epochs: `--resume` continues with epoch + 1. */
  epoch: number;
  config: { lr: number; batchSize: number; seed: number; epochs: number; limit: number | null };
  history: EpochRecord[];
  test: { loss: number; accuracy: number; samples: number } | null;
}

export interface Checkpoint {
  params: Parameters;
  meta: CheckpointMeta;
}

interface TensorEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export function encodeCheckpoint({ params, meta }: Checkpoint): Uint8Array {
  const { features: K, classes: N } = params;
  const wBytes = K * N * 4;
  const header = {
    __metadata__: {
      format: CHECKPOINT_FORMAT,
      version: String(CHECKPOINT_VERSION),
      model: meta.model,
      epoch: String(meta.epoch),
      config: JSON.stringify(meta.config),
      history: JSON.stringify(meta.history),
      test: JSON.stringify(meta.test),
    },
    // W: [features, classes] f32 row-major (x·W, not PyTorch's Linear.weight which is Wᵀ); b: [classes]
    W: { dtype: 'F32', shape: [K, N], data_offsets: [0, wBytes] },
    b: { dtype: 'F32', shape: [N], data_offsets: [wBytes, wBytes + N * 4] },
  };
  let json = JSON.stringify(header);
  // safetensors pads the header with spaces so the data starts 8-byte aligned.
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + wBytes + N * 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  const data = new DataView(out.buffer, 8 + headerBytes.length);
  params.weights.forEach((v, i) => data.setFloat32(i * 4, v, true));
  params.bias.forEach((v, i) => data.setFloat32(wBytes + i * 4, v, true));
  return out;
}

function fail(name: string, problem: string): never {
  throw new CheckpointError(`${name}: ${problem}`);
}

function readTensor(name: string, header: Record<string, unknown>, key: string, shape: number[] | null, data: DataView): { values: Float32Array; shape: number[] } {
  const entry = header[key] as TensorEntry | undefined;
  if (!entry || typeof entry !== 'object') fail(name, `no tensor "${key}"`);
  if (entry.dtype !== 'F32') fail(name, `tensor ${key} has dtype ${entry.dtype}, expected F32`);
  if (!Array.isArray(entry.shape) || !entry.shape.every((d) => Number.isInteger(d) && d > 0)) fail(name, `tensor ${key} has a bad shape`);
  if (shape && (entry.shape.length !== shape.length || entry.shape.some((d, i) => d !== shape[i]))) {
    fail(name, `tensor ${key} has shape [${entry.shape}], the model needs [${shape}]`);
  }
  const [begin, end] = entry.data_offsets ?? [];
  const elements = entry.shape.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(begin) || !Number.isInteger(end) || end - begin !== elements * 4) fail(name, `tensor ${key} has byte range [${begin}, ${end}) that does not fit its shape`);
  if (end > data.byteLength) fail(name, `truncated: tensor ${key} needs bytes up to ${end}, the file has ${data.byteLength} after its header`);
  const values = new Float32Array(elements);
  for (let i = 0; i < elements; i++) values[i] = data.getFloat32(begin + i * 4, true);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) fail(name, `tensor ${key} holds a non-finite value (${values[bad]}) at index ${bad}; the training that wrote it diverged`);
  return { values, shape: entry.shape };
}

function parseJsonField<T>(name: string, meta: Record<string, string>, key: string): T {
  try {
    return JSON.parse(meta[key]) as T;
  } catch {
    fail(name, `metadata field "${key}" is not valid JSON`);
  }
}

/** Parses and validates a checkpoint; `name` (a path or file name) appears in every error. */
export function decodeCheckpoint(bytes: Uint8Array, name: string, expect?: { features: number; classes: number }): Checkpoint {
  if (bytes.length < 8) fail(name, `too short to be a checkpoint (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || headerLength > bytes.length - 8) fail(name, `not a safetensors checkpoint or truncated (header length ${headerLength}, file ${bytes.length} bytes)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    fail(name, 'header is not valid JSON (not a checkpoint, or damaged)');
  }
  const meta = (header.__metadata__ ?? {}) as Record<string, string>;
  if (meta.format !== CHECKPOINT_FORMAT) fail(name, `not a ${CHECKPOINT_FORMAT} checkpoint (format "${meta.format ?? 'missing'}")`);
  if (meta.version !== String(CHECKPOINT_VERSION)) fail(name, `checkpoint version ${meta.version}, this build reads version ${CHECKPOINT_VERSION}`);
  if (!MODEL_KINDS.includes(meta.model as ModelKind)) fail(name, `unknown model "${meta.model}"`);
  const data = new DataView(bytes.buffer, bytes.byteOffset + 8 + headerLength, bytes.length - 8 - headerLength);
  const W = readTensor(name, header, 'W', expect ? [expect.features, expect.classes] : null, data);
  const [K, N] = W.shape;
  if (W.shape.length !== 2) fail(name, `tensor W must be 2-D, got [${W.shape}]`);
  const b = readTensor(name, header, 'b', [N], data);
  const epoch = Number(meta.epoch);
  if (!Number.isInteger(epoch) || epoch < 0) fail(name, `bad epoch "${meta.epoch}"`);
  const config = parseJsonField<CheckpointMeta['config']>(name, meta, 'config');
  const count = (v: unknown, min: number) => Number.isInteger(v) && (v as number) >= min;
  if (!config || !(typeof config.lr === 'number' && config.lr > 0) || !count(config.batchSize, 1) || !count(config.seed, 0) || !count(config.epochs, 1) || !(config.limit === null || count(config.limit, 1))) {
    fail(name, 'metadata field "config" lacks lr, batchSize, seed, epochs or limit');
  }
  const history = parseJsonField<EpochRecord[]>(name, meta, 'history');
  if (!Array.isArray(history)) fail(name, 'metadata field "history" is not a list');
  return {
    params: { weights: W.values, bias: b.values, features: K, classes: N },
    meta: { model: meta.model as ModelKind, epoch, config, history, test: parseJsonField(name, meta, 'test') },
  };
}
