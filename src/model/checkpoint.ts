/**
 * Checkpoints in the safetensors layout (what PyTorch and Hugging Face use): an 8-byte little-endian header
 * length, a JSON header naming each tensor's dtype, shape and byte range, then the raw little-endian data.
 * One file, so a write is atomic with a single rename, the browser can download and load it as one blob,
 * and Python reads it with `safetensors.numpy.load_file`. Each parameter is stored under its model's name for
 * it; the model's spec (kind, input, classes, options) and the training facts ride in __metadata__, so a
 * checkpoint alone rebuilds its model. Version 1 files (softmax regression's W and b, the model as a bare
 * kind) are still read. No Node APIs here; file I/O is in ./checkpoint_file.ts.
 */
import { FASHION_MNIST_SHAPE } from '../data/dataset.js';
import { ArgumentError, CheckpointError } from '../errors.js';
import { f32Problem, TRAINING_LIMITS } from './limits.js';
import type { ModelSpec } from './model.js';
import { KNOWN_KINDS, modelDefinition } from './registry.js';
import { elementsOf, type Parameters } from './tensors.js';
import { checkOptimizer, type OptimizerConfig, plainSgd, STEP_STATE, stateShapes } from '../optim/config.js';

export const CHECKPOINT_FORMAT = 'webgpu-softmax';
export const CHECKPOINT_VERSION = 3;
/** Versions this build reads. */
const READABLE_VERSIONS = ['1', '2', '3'];
/** The file name a checkpoint gets in its run directory. */
export const CHECKPOINT_FILE = 'model.safetensors';
/** Largest header the reader takes (a wrong path, or a forged length, is refused before it is parsed); the writer checks it too. */
export const MAX_HEADER_BYTES = 1 << 20;
/**
 * Epochs of per-epoch history a checkpoint keeps: the last ones. A record takes at most about 200 bytes of
 * header, so 1,000 of them stay far inside MAX_HEADER_BYTES however long the run (--epochs allows 100,000,
 * which at ~104 bytes an epoch once made checkpoints the reader refused). The training output keeps them all.
 */
export const MAX_HISTORY_EPOCHS = 1000;

/** One epoch's figures, as training prints them and checkpoints keep them. */
export interface EpochRecord {
  /** The epoch, 1-based. */
  epoch: number;
  /** Mean training loss over the epoch's samples. */
  loss: number;
  /** Training accuracy accumulated during the epoch (as d2l reports it). */
  trainAccuracy: number;
  /** Test accuracy after the epoch, or null where none was measured. */
  testAccuracy: number | null;
  /** The epoch's training time in seconds (test evaluation excluded). */
  seconds: number;
}

/** A checkpoint's metadata: the model, the run's settings and history. */
export interface CheckpointMeta {
  /** The model: its kind, input shape, classes and options (enough to rebuild it). */
  model: ModelSpec;
  /** Completed epochs: `--resume` continues with epoch + 1. */
  epoch: number;
  /** The run's settings, as `train` was given them (a resumed run continues with them). */
  config: {
    /** The learning rate. */
    lr: number;
    /** Minibatch size. */
    batchSize: number;
    /** Seed of the weight init and the shuffles. */
    seed: number;
    /** Epochs of the whole run (counting those done before a resume). */
    epochs: number;
    /** Training samples used (the first ones), or null for all. */
    limit: number | null;
  };
  /** Every epoch's figures (the last 1,000 in the file). */
  history: EpochRecord[];
  /** The test evaluation after the last epoch, or null before the first. */
  test: {
    /** Mean cross-entropy over the test split. */
    loss: number;
    /** Fraction of test images classified right. */
    accuracy: number;
    /** Test images evaluated. */
    samples: number;
  } | null;
  /**
   * The optimizer the run trains with (version 3); absent, and in versions 1 and 2: plain SGD at config.lr, the
   * book's. The run's own, without what the model's options add (the MLP's weight decay stays its option).
   */
  optimizer?: OptimizerConfig | undefined;
}

/** A trained model and how it was trained: what `fit`/`train` return and the file holds. */
export interface Checkpoint {
  /** The model's parameters by name. */
  params: Parameters;
  /** The model spec, settings and history. */
  meta: CheckpointMeta;
  /**
   * The optimizer's state (src/optim: `${param}.momentum_buffer`, `${param}.exp_avg`, `${param}.exp_avg_sq`,
   * `optimizer.step`), stored beside the parameters so that `--resume` continues the run exactly; none for plain SGD.
   */
  optimizerState?: Parameters | undefined;
}

interface TensorEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** The checkpoint as the bytes of a safetensors file (what saveCheckpoint writes and decodeCheckpoint reads). */
export function encodeCheckpoint({ params: parameters, meta, optimizerState }: Checkpoint): Uint8Array {
  // The optimizer's state after the parameters, under names no parameter has (config.ts: `${param}.${state}`).
  const params: Parameters = { ...parameters, ...optimizerState };
  const tensors: Record<string, TensorEntry> = {};
  let offset = 0;
  for (const [name, t] of Object.entries(params)) {
    const bytes = t.data.length * 4;
    tensors[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const header = {
    __metadata__: {
      format: CHECKPOINT_FORMAT,
      version: String(CHECKPOINT_VERSION),
      model: JSON.stringify(meta.model),
      epoch: String(meta.epoch),
      config: JSON.stringify(meta.config),
      history: JSON.stringify(meta.history.slice(-MAX_HISTORY_EPOCHS)),
      test: JSON.stringify(meta.test),
      optimizer: JSON.stringify(meta.optimizer ?? plainSgd(meta.config.lr)),
    },
    ...tensors,
  };
  let json = JSON.stringify(header);
  // safetensors pads the header with spaces so the data starts 8-byte aligned.
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  // Whatever is written must read back: never write a header the reader would refuse.
  if (headerBytes.length > MAX_HEADER_BYTES) {
    throw new CheckpointError(`the checkpoint's header would be ${headerBytes.length} bytes, more than the ${MAX_HEADER_BYTES} a checkpoint may have (too many or too long tensor names or metadata)`);
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  const data = new DataView(out.buffer, 8 + headerBytes.length);
  for (const [name, t] of Object.entries(params)) {
    const begin = tensors[name].data_offsets[0];
    t.data.forEach((v, i) => data.setFloat32(begin + i * 4, v, true));
  }
  return out;
}

function fail(name: string, problem: string): never {
  throw new CheckpointError(`${name}: ${problem}`);
}

function readTensor(name: string, header: Record<string, unknown>, key: string, shape: readonly number[], data: DataView): Float32Array {
  const entry = header[key] as TensorEntry | undefined;
  if (!entry || typeof entry !== 'object') fail(name, `no tensor "${key}"`);
  if (entry.dtype !== 'F32') fail(name, `tensor ${key} has dtype ${entry.dtype}, expected F32`);
  if (!Array.isArray(entry.shape) || !entry.shape.every((d) => Number.isInteger(d) && d > 0)) fail(name, `tensor ${key} has a bad shape`);
  if (entry.shape.length !== shape.length || entry.shape.some((d, i) => d !== shape[i])) {
    fail(name, `tensor ${key} has shape [${entry.shape}], the model needs [${shape}]`);
  }
  const [begin, end] = (Array.isArray(entry.data_offsets) ? entry.data_offsets : [NaN, NaN]) as [number, number];
  const elements = elementsOf(shape);
  if (!Number.isInteger(begin) || !Number.isInteger(end) || begin < 0 || end - begin !== elements * 4) fail(name, `tensor ${key} has byte range [${begin}, ${end}) that does not fit its shape`);
  if (end > data.byteLength) fail(name, `truncated: tensor ${key} needs bytes up to ${end}, the file has ${data.byteLength} after its header`);
  const values = new Float32Array(elements);
  for (let i = 0; i < elements; i++) values[i] = data.getFloat32(begin + i * 4, true);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) fail(name, `tensor ${key} holds a non-finite value (${values[bad]}) at index ${bad}; the training that wrote it diverged`);
  return values;
}

function parseJsonField<T>(name: string, meta: Record<string, unknown>, key: string): T {
  const text = meta[key];
  if (typeof text !== 'string') fail(name, `metadata field "${key}" is missing`);
  try {
    return JSON.parse(text) as T;
  } catch {
    fail(name, `metadata field "${key}" is not valid JSON`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The model a checkpoint holds. Version 1 stored only the kind ("scratch" or "concise") and W: [K, N]; its
 * images were Fashion-MNIST's 1 x 28 x 28 (or, for other K, one row of K pixels).
 */
function readSpec(name: string, version: string, meta: Record<string, unknown>, header: Record<string, unknown>): ModelSpec {
  if (version === '1') {
    const kind = meta.model;
    if (kind !== 'scratch' && kind !== 'concise') fail(name, `unknown model "${String(kind)}"`);
    const w = header.W as TensorEntry | undefined;
    if (!isObject(w) || !Array.isArray(w.shape) || w.shape.length !== 2) fail(name, 'no 2-D tensor "W"');
    const [K, N] = w.shape;
    if (!Number.isInteger(K) || !Number.isInteger(N) || K < 1 || N < 1) fail(name, 'tensor W has a bad shape');
    const input = K === elementsOf([FASHION_MNIST_SHAPE.channels, FASHION_MNIST_SHAPE.height, FASHION_MNIST_SHAPE.width]) ? FASHION_MNIST_SHAPE : { channels: 1, height: 1, width: K };
    return { kind, input, classes: N, options: { kernels: 'auto' } };
  }
  const spec = parseJsonField<ModelSpec>(name, meta, 'model');
  if (!isObject(spec) || typeof spec.kind !== 'string') fail(name, 'metadata field "model" is not a model description');
  if (!KNOWN_KINDS.includes(spec.kind)) fail(name, `unknown model "${spec.kind}" (this build has ${KNOWN_KINDS.join(', ')})`);
  const dims = [spec.input?.channels, spec.input?.height, spec.input?.width, spec.classes];
  if (!dims.every((d) => Number.isInteger(d) && (d as number) >= 1 && (d as number) <= 1 << 20)) fail(name, 'metadata field "model" has a bad input shape or class count');
  if (!isObject(spec.options)) fail(name, 'metadata field "model" has no options');
  try {
    // Rebuilt through the model's own checks, so a checkpoint cannot describe a model the CLI would refuse.
    return modelDefinition(spec.kind).spec(spec.input, spec.classes, spec.options);
  } catch (err) {
    fail(name, `its model is not valid: ${(err as Error).message}`);
  }
}

/**
 * Renames, in place, the tensors of `header` an earlier build named otherwise (ModelDefinition.formerNames: a
 * parameter, and the optimizer state under it, `conv1.weight.momentum_buffer` → `0.weight.momentum_buffer`).
 */
function renameFormer(name: string, header: Record<string, unknown>, former: Readonly<Record<string, string>>): void {
  for (const key of Object.keys(header)) {
    const old = Object.keys(former).find((o) => key === o || key.startsWith(`${o}.`));
    if (old === undefined) continue;
    const now = former[old] + key.slice(old.length);
    if (now in header) fail(name, `the header names tensor ${now} twice: as ${now} and as ${key}, its earlier name`);
    header[now] = header[key];
    delete header[key];
  }
}

/**
 * Parses and validates a checkpoint; `name` (a path or file name) appears in every error.
 * @param input the file's bytes: a Uint8Array, or an ArrayBuffer (as `fetch(...).arrayBuffer()` and `file.arrayBuffer()` give)
 * @param name what to call the checkpoint in errors; default 'checkpoint'
 */
export function decodeCheckpoint(input: Uint8Array | ArrayBuffer, name = 'checkpoint'): Checkpoint {
  if (typeof name !== 'string') throw new ArgumentError(`name must be a string naming the checkpoint in errors (a path, "memory"), not ${typeof name}`);
  if (!(input instanceof Uint8Array) && !(input instanceof ArrayBuffer)) {
    const what = input === null ? 'null' : Array.isArray(input) ? 'an Array' : ArrayBuffer.isView(input) ? `a ${(input as object).constructor.name}` : typeof input;
    throw new ArgumentError(`bytes must be the checkpoint file's bytes as a Uint8Array or an ArrayBuffer, not ${what}`);
  }
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.length < 8) fail(name, `too short to be a checkpoint (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || headerLength > bytes.length - 8) fail(name, `not a safetensors checkpoint or truncated (header length ${headerLength}, file ${bytes.length} bytes)`);
  let header: unknown;
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
  try {
    header = JSON.parse(text);
  } catch {
    fail(name, 'header is not valid JSON (not a checkpoint, or damaged)');
  }
  if (!isObject(header)) fail(name, 'header is not a JSON object (not a checkpoint, or damaged)');
  // JSON.parse keeps the last of two equal keys: count the tensor entries in the text to see a duplicate.
  const entries = text.match(/"dtype"\s*:/g)?.length ?? 0;
  const parsed = Object.values(header).filter((v) => isObject(v) && 'dtype' in v).length;
  if (entries !== parsed) fail(name, `the header names a tensor twice (${entries} tensor entries, ${parsed} distinct names)`);
  const meta = isObject(header.__metadata__) ? header.__metadata__ : {};
  if (meta.format !== CHECKPOINT_FORMAT) fail(name, `not a ${CHECKPOINT_FORMAT} checkpoint (format "${meta.format ?? 'missing'}")`);
  const version = String(meta.version);
  if (!READABLE_VERSIONS.includes(version)) fail(name, `checkpoint version ${meta.version}, this build reads versions ${READABLE_VERSIONS.slice(0, -1).join(', ')} and ${READABLE_VERSIONS.at(-1)}`);
  const spec = readSpec(name, version, meta, header);
  const data = new DataView(bytes.buffer, bytes.byteOffset + 8 + headerLength, bytes.length - 8 - headerLength);
  const definition = modelDefinition(spec.kind);
  if (definition.formerNames) renameFormer(name, header, definition.formerNames);
  const shapes = definition.shapes(spec);
  // Version 3 names its optimizer; its state tensors may stand beside the parameters, under exactly its names.
  let optimizer: OptimizerConfig | null = null;
  if (version === '3') {
    try {
      optimizer = checkOptimizer(parseJsonField<unknown>(name, meta, 'optimizer'), 'metadata field "optimizer"');
    } catch (err) {
      if (err instanceof CheckpointError) throw err;
      fail(name, (err as Error).message);
    }
  }
  const stateNames = optimizer ? stateShapes(optimizer, Object.entries(shapes).map(([key, shape]) => ({ name: key, shape }))) : {};
  const extra = Object.keys(header).filter((k) => k !== '__metadata__' && !(k in shapes) && !(k in stateNames));
  if (extra.length > 0) {
    const state = Object.keys(stateNames).length > 0 ? ` or of its ${optimizer!.kind} optimizer's state` : '';
    fail(name, `tensor ${extra[0]} is not a parameter of model ${spec.kind} (it has ${Object.keys(shapes).join(', ')})${state}`);
  }
  const params: Parameters = {};
  const ranges: Array<[number, number, string]> = [];
  for (const [key, shape] of Object.entries(shapes)) {
    params[key] = { shape: [...shape], data: readTensor(name, header, key, shape, data) };
    const [begin, end] = (header[key] as TensorEntry).data_offsets;
    ranges.push([begin, end, key]);
  }
  const optimizerState: Parameters = {};
  for (const [key, shape] of Object.entries(stateNames)) {
    if (!(key in header)) continue; // the optimizer builds it fresh (createOptimizer refuses a state missing only some)
    optimizerState[key] = { shape: [...shape], data: readTensor(name, header, key, shape, data) };
    const [begin, end] = (header[key] as TensorEntry).data_offsets;
    ranges.push([begin, end, key]);
  }
  const stepCount = optimizerState[STEP_STATE]?.data[0];
  if (stepCount !== undefined && !(Number.isInteger(stepCount) && stepCount >= 0)) fail(name, `tensor ${STEP_STATE} is ${stepCount}, not a step count`);
  const negative = Object.entries(optimizerState).find(([key, t]) => key.endsWith('.exp_avg_sq') && t.data.some((v) => v < 0));
  if (negative) fail(name, `tensor ${negative[0]} holds a negative value; a mean of squares cannot`);
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) if (ranges[i][0] < ranges[i - 1][1]) fail(name, `tensors ${ranges[i - 1][2]} and ${ranges[i][2]} overlap`);
  // safetensors' data is exactly the tensors: bytes past the last one mean a damaged or foreign file.
  const end = ranges.reduce((m, r) => Math.max(m, r[1]), 0);
  if (data.byteLength > end) fail(name, `${data.byteLength - end} bytes after the last tensor (damaged, or not a checkpoint)`);
  const epoch = Number(meta.epoch);
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > TRAINING_LIMITS.epochs.max) fail(name, `bad epoch "${String(meta.epoch)}" (a whole number from 0 to ${TRAINING_LIMITS.epochs.max})`);
  const config = parseJsonField<CheckpointMeta['config']>(name, meta, 'config');
  const count = (v: unknown, min: number) => Number.isInteger(v) && (v as number) >= min;
  if (!isObject(config) || typeof config.lr !== 'number' || !count(config.batchSize, 1) || !count(config.seed, 0) || !count(config.epochs, 1) || !(config.limit === null || count(config.limit, 1))) {
    fail(name, 'metadata field "config" lacks lr, batchSize, seed, epochs or limit');
  }
  // The same limits as the flags: a hand-edited value must not train as something the CLI would refuse.
  const lrProblem = config.lr > 0 ? f32Problem(config.lr) : `${config.lr} is not greater than 0`;
  if (lrProblem) fail(name, `metadata field "config": lr ${lrProblem}`);
  for (const key of ['batchSize', 'seed', 'epochs'] as const) {
    const { min, max } = TRAINING_LIMITS[key];
    if (config[key] < min || config[key] > max) fail(name, `metadata field "config": ${key} ${config[key]} is outside ${min}..${max}`);
  }
  if (config.limit !== null && !Number.isSafeInteger(config.limit)) fail(name, `metadata field "config": limit ${config.limit} is not a sample count`);
  const history = parseJsonField<EpochRecord[]>(name, meta, 'history');
  if (!Array.isArray(history)) fail(name, 'metadata field "history" is not a list');
  const numberOrNull = (v: unknown) => v === null || typeof v === 'number';
  history.forEach((r, i) => {
    if (!isObject(r) || !count(r.epoch, 1) || typeof r.loss !== 'number' || typeof r.trainAccuracy !== 'number' || !numberOrNull(r.testAccuracy) || typeof r.seconds !== 'number') {
      fail(name, `metadata field "history" entry ${i} is not an epoch record`);
    }
  });
  const test = parseJsonField<CheckpointMeta['test']>(name, meta, 'test');
  if (!(test === null || (isObject(test) && typeof test.loss === 'number' && typeof test.accuracy === 'number' && count(test.samples, 1)))) {
    fail(name, 'metadata field "test" is not a test result');
  }
  if (optimizer && optimizer.lr !== config.lr) fail(name, `metadata field "optimizer" has lr ${optimizer.lr}, field "config" ${config.lr}: a run has one learning rate`);
  const run = { model: spec, epoch, config, history, test, optimizer: optimizer ?? plainSgd(config.lr) };
  return Object.keys(optimizerState).length > 0 ? { params, meta: run, optimizerState } : { params, meta: run };
}
