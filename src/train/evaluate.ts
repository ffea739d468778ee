/**
 * Evaluation on a whole split in one submit: for every chunk of rows, the model's forward (logits, no dropout),
 * then softmax -> stable cross-entropy -> argmax, each chunk's predictions and probabilities copied into
 * split-sized buffers. It reads the model's live parameter buffers, so training can go on, and `eval` on a
 * checkpoint gives exactly the numbers training printed. It knows no model: only logits.
 */
import { createBuffer, createBufferWith, readBuffer } from '../gpu/buffers.js';
import type { Gpu } from '../gpu/device.js';
import { type Tuning, tuningFor } from '../gpu/tuning.js';
import { destroySplit, type GpuSplit, type ImageSplit, uploadSplit } from '../gpu/split.js';
import { argmaxAccuracy } from '../kernels/argmax_accuracy.js';
import { logSoftmaxCrossEntropy } from '../kernels/log_softmax_cross_entropy.js';
import { softmax } from '../kernels/softmax.js';
import type { Forward, GpuModel } from '../model/model.js';
import { pixelsOf } from '../model/model.js';
import { modelDefinition } from '../model/registry.js';
import type { ModelSpec } from '../model/model.js';
import type { Parameters } from '../model/tensors.js';
import { epochSteps, StepSlots } from './steps.js';

/** The result of evaluating a model on a split: mean loss, accuracy, and every sample's prediction and probabilities. */
export interface Evaluation {
  /** mean cross-entropy */
  loss: number;
  /** Fraction of the samples classified right. */
  accuracy: number;
  /** Samples evaluated. */
  samples: number;
  /** [count] argmax class */
  predictions: Uint32Array;
  /** [count, classes] softmax */
  probabilities: Float32Array;
}

/** How a caller follows and stops an evaluation; with either, each chunk of rows is its own submit. */
export interface EvaluateHooks {
  /** Rows evaluated so far of the split's, as each chunk completes on the GPU. */
  onProgress?: ((done: number, total: number) => void) | undefined;
  /** Checked before each chunk: an aborted evaluation rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/**
 * `work`, or a rejection with the signal's reason as soon as it aborts: a stop need not wait for the GPU to finish
 * what it was given (that work completes unobserved; buffers destroyed meanwhile are freed after it).
 */
export function untilAborted<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/** Evaluates one model on one resident split, as often as asked (after every epoch, or per drawing in the page). */
export class Evaluator {
  private constructor(
    private readonly gpu: Gpu,
    private readonly split: GpuSplit,
    private readonly classes: number,
    private readonly slots: StepSlots,
    private readonly forward: Forward,
    private readonly buffers: Record<string, GPUBuffer>,
    private readonly record: (pass: GPUComputePassEncoder, step: GPUBindGroup) => void,
  ) {}

  /** Chunks of `chunkRows` rows of `split`, each through `model`'s forward. */
  static async create(gpu: Gpu, split: GpuSplit, model: GpuModel, chunkRows = 2048, tuning: Tuning = tuningFor(gpu.adapterInfo)): Promise<Evaluator> {
    const { device } = gpu;
    const N = model.spec.classes;
    const rows = Math.min(chunkRows, split.count, model.maxRowsPerChunk ?? Infinity);
    const b = {
      order: createBufferWith(device, 'eval order', Uint32Array.from({ length: split.count }, (_, i) => i)), // [count] identity
      y: createBuffer(device, 'eval y', rows * 4), // [rows] u32, copied from the split's labels per chunk
      probs: createBuffer(device, 'eval probs', rows * N * 4), // [rows, N]
      loss: createBuffer(device, 'eval loss', rows * 4), // [rows]
      predictions: createBuffer(device, 'eval predictions', rows * 4), // [rows]
      dlogits: createBuffer(device, 'eval unused dlogits', 4),
      lossSum: createBuffer(device, 'eval loss sum', 4), // [1] f32
      correct: createBuffer(device, 'eval correct', 4), // [1] u32
      allPredictions: createBuffer(device, 'eval all predictions', split.count * 4), // [count]
      allProbs: createBuffer(device, 'eval all probabilities', split.count * N * 4), // [count, N]
    };
    const forward = await model.createForward({ split, order: b.order, maxRows: rows, tuning });
    const [sm, ce, acc] = await Promise.all([
      softmax.create(gpu, { N }, { rows }),
      logSoftmaxCrossEntropy.create(gpu, { N }, { rows, constants: { WRITE_GRAD: 0 } }),
      argmaxAccuracy.create(gpu, { N }, { rows }),
    ]);
    const logits = forward.logits;
    const groups = {
      sm: sm.bind({ logits, probs: b.probs }),
      ce: ce.bind({ logits, y: b.y, loss: b.loss, loss_sum: b.lossSum, dlogits: b.dlogits }),
      acc: acc.bind({ logits, y: b.y, predictions: b.predictions, correct: b.correct }),
    };
    const slots = StepSlots.create(device, epochSteps(split.count, rows), 'eval steps');
    const record = (pass: GPUComputePassEncoder, step: GPUBindGroup) => {
      forward.encodeForward(pass, step);
      sm.encode(pass, groups.sm, step);
      ce.encode(pass, groups.ce, step);
      acc.encode(pass, groups.acc, step);
    };
    return new Evaluator(gpu, split, N, slots, forward, b, record);
  }

  /** GPU buffer bytes this evaluator allocated (the split and the parameters it reads not included). */
  get bytes(): number {
    return Object.values(this.buffers).reduce((n, b) => n + b.size, 0) + this.slots.buffer.size + this.forward.bytes;
  }

  /** Evaluates the whole split once, in one submit, and reads back the figures, predictions and probabilities. */
  async evaluate(hooks: EvaluateHooks = {}): Promise<Evaluation> {
    const { device } = this.gpu;
    const b = this.buffers;
    const n = this.classes;
    const chunked = hooks.onProgress !== undefined || hooks.signal !== undefined;
    let encoder = device.createCommandEncoder({ label: 'evaluate' });
    encoder.clearBuffer(b.lossSum);
    encoder.clearBuffer(b.correct);
    for (const [i, range] of this.slots.ranges.entries()) {
      if (chunked && i > 0) {
        // One chunk at a time: the caller sees each one finish and can stop between them.
        device.queue.submit([encoder.finish()]);
        await untilAborted(device.queue.onSubmittedWorkDone(), hooks.signal);
        hooks.onProgress?.(range.row0, this.split.count);
        encoder = device.createCommandEncoder({ label: 'evaluate' });
      }
      // The order is the identity, so a chunk's labels are a contiguous range of the split's.
      encoder.copyBufferToBuffer(this.split.labels, range.row0 * 4, b.y, 0, range.rows * 4);
      const pass = encoder.beginComputePass({ label: `evaluate rows ${range.row0}..` });
      this.record(pass, this.slots.groups[i]);
      pass.end();
      encoder.copyBufferToBuffer(b.predictions, 0, b.allPredictions, range.row0 * 4, range.rows * 4);
      encoder.copyBufferToBuffer(b.probs, 0, b.allProbs, range.row0 * n * 4, range.rows * n * 4);
    }
    hooks.signal?.throwIfAborted();
    device.queue.submit([encoder.finish()]);
    const [lossSum, correct, predictions, probabilities] = await untilAborted(Promise.all([
      readBuffer(device, b.lossSum, 4),
      readBuffer(device, b.correct, 4),
      readBuffer(device, b.allPredictions, this.split.count * 4),
      readBuffer(device, b.allProbs, this.split.count * n * 4),
    ]), hooks.signal);
    const samples = this.split.count;
    hooks.onProgress?.(samples, samples);
    return {
      loss: new Float32Array(lossSum)[0] / samples,
      accuracy: new Uint32Array(correct)[0] / samples,
      samples,
      predictions: new Uint32Array(predictions),
      probabilities: new Float32Array(probabilities),
    };
  }

  /** Frees what it allocated (not the split or the model it reads). */
  destroy(): void {
    this.forward.destroy();
    for (const buffer of Object.values(this.buffers)) buffer.destroy();
    this.slots.destroy();
  }
}

/** Builds the model from its spec and parameters, evaluates `split` once on the GPU, and frees everything again. */
export async function evaluateParameters(gpu: Gpu, split: ImageSplit, spec: ModelSpec, params: Parameters, hooks?: EvaluateHooks): Promise<Evaluation> {
  const gpuSplit = uploadSplit(gpu.device, split, pixelsOf(spec.input), 'eval split');
  const model = await modelDefinition(spec.kind).create(gpu, spec, params);
  try {
    const evaluator = await Evaluator.create(gpu, gpuSplit, model);
    try {
      return await evaluator.evaluate(hooks);
    } finally {
      evaluator.destroy();
    }
  } finally {
    model.destroy();
    destroySplit(gpuSplit);
  }
}
