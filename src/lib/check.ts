/**
 * The checks every public library function makes of its arguments before any GPU work, for callers in plain
 * JavaScript as much as in TypeScript: a string where a number belongs, NaN, an Array or a Float32Array where
 * u8 images belong, labels past the class count, a count the images do not hold, a shape the data disagree
 * with. Each refusal is one ArgumentError naming the argument as the caller wrote it (`options.epochs`,
 * `data.train.labels`) and saying what to pass. Browser-safe.
 */
import { FASHION_MNIST_CLASSES, FASHION_MNIST_SHAPE, type ImageShape } from '../data/dataset.js';
import { ArgumentError, checkKeys, checkObject, describeValue, GpuError, isRecord } from '../errors.js';

// The generic checks live beside the errors they throw (src/errors.ts), where src/gpu/node.ts can use them too.
export { checkKeys, checkObject, describeValue };
import type { Gpu } from '../gpu/device.js';
import type { Checkpoint } from '../model/checkpoint.js';
import { dataMismatch, type ModelOptions, type ModelSpec, pixelsOf } from '../model/model.js';
import { KNOWN_KINDS, modelDefinition } from '../model/registry.js';
import { elementsOf, type Parameters } from '../model/tensors.js';

/** `value`, an integer in `range`; a string or NaN is refused, not converted. */
export function checkInteger(name: string, value: unknown, range: { min: number; max: number }): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    throw new ArgumentError(`${name} must be an integer in ${range.min}..${range.max}, not ${describeValue(value)}`);
  }
  return value;
}

/** `value`, a finite number greater than 0 that an f32 holds as itself (a learning rate). */
export function checkPositive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(Math.fround(value)) || Math.fround(value) === 0) {
    throw new ArgumentError(`${name} must be a finite number greater than 0 (and within 32-bit floats, 1e-38..3e38), not ${describeValue(value)}`);
  }
  return value;
}

/** `value`, a function, where one is given. */
export function checkFunction(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') throw new ArgumentError(`${name} must be a function, not ${describeValue(value)}`);
}

/** `value`, a Uint8Array (u8 pixels or labels: not a Float32Array, an Array or an ArrayBuffer). */
export function checkBytes(name: string, value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    const hint = ArrayBuffer.isView(value) || Array.isArray(value) ? ` (convert it: Uint8Array.from(${name.split('.').pop()}${value instanceof Float32Array ? ', (v) => Math.round(v * 255)' : ''}))` : value instanceof ArrayBuffer ? ' (wrap it: new Uint8Array(buffer))' : '';
    throw new ArgumentError(`${name} must be a Uint8Array of ${what}, not ${describeValue(value)}${hint}`);
  }
  return value;
}

/** An image shape: positive integer channels, height and width, with a pixel count the GPU packs (a multiple of 4). */
export function checkShape(name: string, value: unknown): ImageShape {
  const shape = checkObject(name, value, 'an image shape { channels, height, width }');
  for (const key of ['channels', 'height', 'width'] as const) checkInteger(`${name}.${key}`, shape[key], { min: 1, max: 1 << 16 });
  const result = { channels: shape.channels as number, height: shape.height as number, width: shape.width as number };
  const pixels = pixelsOf(result);
  if (pixels % 4 !== 0) throw new ArgumentError(`${name} has ${pixels} pixels an image (${result.channels}x${result.height}x${result.width}); the GPU packs four u8 pixels a word, so pad the images to a multiple of 4 pixels`);
  return result;
}

/** A split as the library reads it: u8 images of `shape`, labels and a count that agree, every label a class. */
export interface CheckedSplit {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  shape: ImageShape;
  classes: number;
}

/**
 * Checks a split (`name`: how the caller wrote it, e.g. `data.train`): its images and labels are Uint8Arrays,
 * `count` is what both hold, and every label is below the class count. Its shape is its own `shape`, else
 * `defaultShape` (Fashion-MNIST's, said as such when the images do not fit it); its class count its own
 * `classes`' length, else `defaultClasses`.
 */
export function checkSplit(name: string, value: unknown, defaults: { shape?: ImageShape; shapeSaid?: string; classes?: number } = {}): CheckedSplit {
  const split = checkObject(name, value, 'a split { images, labels, count } (e.g. a FashionMNIST)');
  const images = checkBytes(`${name}.images`, split.images, 'pixels (0..255), image after image');
  const labels = checkBytes(`${name}.labels`, split.labels, 'class indices');
  const count = checkInteger(`${name}.count`, split.count, { min: 1, max: Number.MAX_SAFE_INTEGER });
  const shape = split.shape === undefined ? (defaults.shape ?? FASHION_MNIST_SHAPE) : checkShape(`${name}.shape`, split.shape);
  let classes = defaults.classes ?? FASHION_MNIST_CLASSES;
  if (split.classes !== undefined) {
    if (!Array.isArray(split.classes) || split.classes.length < 2 || split.classes.length > 256 || !split.classes.every((c) => typeof c === 'string')) {
      throw new ArgumentError(`${name}.classes must be an array of 2 to 256 class names (strings), not ${describeValue(split.classes)}`);
    }
    classes = split.classes.length;
  }
  const pixels = pixelsOf(shape);
  if (images.length !== count * pixels) {
    const which = split.shape === undefined ? `${shape.channels}x${shape.height}x${shape.width} ${defaults.shapeSaid ?? "(Fashion-MNIST's: it has no shape)"}` : `${shape.channels}x${shape.height}x${shape.width}`;
    const fix = split.shape === undefined && images.length % count === 0 ? `; give ${name}.shape for images that are not ${shape.channels}x${shape.height}x${shape.width}` : `; give ${name}.count as the number of images it holds`;
    throw new ArgumentError(`${name}.images holds ${images.length} bytes, but ${name}.count ${count} images of ${which} are ${count * pixels}${fix}`);
  }
  if (labels.length !== count) throw new ArgumentError(`${name}.labels holds ${labels.length} labels, not ${name}.count ${count}: give one label per image`);
  let bad = -1;
  for (let i = 0; i < count; i++) {
    if (labels[i] >= classes) {
      bad = i;
      break;
    }
  }
  if (bad >= 0) {
    throw new ArgumentError(`${name}.labels[${bad}] is ${labels[bad]}, not a class of ${classes} (0..${classes - 1}): give ${name}.classes for more classes, or relabel`);
  }
  return { images, labels, count, shape, classes };
}

/** Parameters as `{ name: { shape, data: Float32Array } }` with data as long as their shape. */
export function checkParameters(name: string, value: unknown): Parameters {
  const params = checkObject(name, value, 'parameters { name: { shape, data: Float32Array } }');
  for (const [key, tensor] of Object.entries(params)) {
    const t = checkObject(`${name}.${key}`, tensor, 'a tensor { shape, data: Float32Array }');
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 1)) throw new ArgumentError(`${name}.${key}.shape must be an array of positive integers, not ${describeValue(t.shape)}`);
    if (!(t.data instanceof Float32Array)) throw new ArgumentError(`${name}.${key}.data must be a Float32Array, not ${describeValue(t.data)}`);
    if (t.data.length !== elementsOf(t.shape)) throw new ArgumentError(`${name}.${key}.data holds ${t.data.length} values, its shape [${t.shape.join(', ')}] ${elementsOf(t.shape)}`);
  }
  return params as unknown as Parameters;
}

/** A model spec (kind, input, classes, options), rebuilt through its model's own checks. */
export function checkSpec(name: string, value: unknown): ModelSpec {
  const spec = checkObject(name, value, 'a model spec { kind, input, classes, options } (e.g. fashionMnistSpec(kind))');
  if (typeof spec.kind !== 'string' || !KNOWN_KINDS.includes(spec.kind)) throw new ArgumentError(`${name}.kind must be one of ${KNOWN_KINDS.join(', ')}, not ${describeValue(spec.kind)}`);
  const input = checkShape(`${name}.input`, spec.input);
  const classes = checkInteger(`${name}.classes`, spec.classes, { min: 2, max: 256 });
  const options = checkObject(`${name}.options`, spec.options ?? {}, 'the model options');
  return modelDefinition(spec.kind).spec(input, classes, definedOptions(options));
}

/** Model options without the keys set to `undefined` (as `{ pool: undefined }` under exactOptionalPropertyTypes means "not given"). */
export function definedOptions(options: Record<string, unknown>): ModelOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as ModelOptions;
}

/**
 * A trained model as `evaluate` and `predict` take it: a checkpoint whose spec its model accepts and whose
 * parameters have that model's names and shapes. Returns its spec as rebuilt.
 */
export function checkCheckpoint(name: string, value: unknown): Checkpoint {
  const checkpoint = checkObject(name, value, "a checkpoint { params, meta } (fit()'s result.checkpoint, decodeCheckpoint() or loadCheckpoint())");
  const meta = checkObject(`${name}.meta`, checkpoint.meta, 'checkpoint metadata { model, epoch, config, history, test }');
  const spec = checkSpec(`${name}.meta.model`, meta.model);
  const params = checkParameters(`${name}.params`, checkpoint.params);
  const problem = paramsMismatch(spec, params);
  if (problem) throw new ArgumentError(`${name}.params: ${problem}`);
  return { params, meta: { ...(meta as unknown as Checkpoint['meta']), model: spec } };
}

/** Why `params` are not `spec`'s model's parameters (names and shapes), or null. */
export function paramsMismatch(spec: ModelSpec, params: Parameters): string | null {
  const want = modelDefinition(spec.kind).shapes(spec);
  const wrong = [...new Set([...Object.keys(want), ...Object.keys(params)])].filter((key) => !want[key] || !params[key] || want[key].join() !== params[key].shape.join());
  if (wrong.length === 0) return null;
  const expected = Object.entries(want).map(([n, s]) => `${n}: [${s.join(', ')}]`).join(', ');
  return `${wrong.join(', ')} ${wrong.length === 1 ? 'does' : 'do'} not match model ${spec.kind} (${expected})`;
}

/** Refuses a split whose images are not the model's shape or whose classes are not the model's. */
export function checkSplitFitsModel(name: string, split: CheckedSplit, spec: ModelSpec, model: string): void {
  const problem = dataMismatch(spec, split.shape, split.classes);
  if (problem) throw new ArgumentError(`${name} does not fit ${model}: ${problem}`);
}

/**
 * A Gpu as createNodeGpu() and acquireGpu() make it, whose device is not lost or destroyed. The loss is
 * reported a task after `destroy()`, so this waits one task for it.
 */
export async function checkGpu(name: string, value: unknown): Promise<Gpu> {
  const gpu = checkObject(name, value, 'a Gpu from createNodeGpu() (Node) or acquireGpu(navigator.gpu, shaders) (browser)');
  const device = gpu.device as GPUDevice | undefined;
  if (typeof device?.createBuffer !== 'function' || typeof gpu.shaders !== 'function' || !(gpu.lost instanceof Promise)) {
    throw new ArgumentError(`${name} must be a Gpu from createNodeGpu() (Node) or acquireGpu(navigator.gpu, shaders) (browser), not ${describeValue(value)}`);
  }
  const lost = await Promise.race([(gpu.lost as Promise<GPUDeviceLostInfo>).then((info) => info), new Promise<null>((resolve) => setTimeout(() => resolve(null), 0))]);
  if (lost) throw lostError(lost);
  return value as Gpu;
}

/** The GpuError for a device that is gone: what happened, and what to do. */
export function lostError(info: GPUDeviceLostInfo): GpuError {
  const why = info.reason === 'destroyed' ? 'was destroyed (device.destroy())' : `was lost${info.message ? ` (${info.message.split('\n')[0]})` : ''}`;
  return new GpuError(`the Gpu's device ${why}: make a new one with createNodeGpu() or acquireGpu() and pass that`);
}
