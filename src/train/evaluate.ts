/**
 * Evaluation on a whole split in one submit: gather -> x·W + b -> softmax -> stable cross-entropy -> argmax
 * for every chunk of rows, each chunk's predictions and probabilities copied into split-sized buffers.
 * Both models are the same function of (W, b), so one evaluator serves both, and `eval` on a checkpoint
 * gives exactly the numbers training printed.
 */
import type { ComputePass } from '../gpu/kernel.js';
import type { Gpu } from '../gpu/device.js';
import { createBuffer, createBufferWith, readBuffer } from '../gpu/buffers.js';
import { argmaxAccuracy } from '../kernels/argmax_accuracy.js';
import { gatherMinibatch } from '../kernels/gather_minibatch.js';
import type { Dims } from '../kernels/kernel.js';
import { logSoftmaxCrossEntropy } from '../kernels/log_softmax_cross_entropy.js';
import { matmulBias } from '../kernels/matmul_bias.js';
import { softmax } from '../kernels/softmax.js';
import { epochSteps, StepSlots } from './steps.js';
import type { Parameters } from '../model/parameters.js';
import { destroySplit, type GpuSplit, type ImageSplit, uploadSplit } from './gpu_dataset.js';

export interface Evaluation {
  loss: number; // mean cross-entropy
  accuracy: number;
  samples: number;
  predictions: Uint32Array; // [count] argmax class
  probabilities: Float32Array; // [count, classes] softmax
}

export class Evaluator {
  private constructor(
    private readonly gpu: Gpu,
    private readonly split: GpuSplit,
    private readonly classes: number,
    private readonly slots: StepSlots,
    private readonly buffers: Record<string, GPUBuffer>,
    private readonly record: (pass: ComputePass, step: GPUBindGroup) => void,
  ) {}

  /** `weights` [features, classes] and `bias` [classes] are read at each evaluate(), so training can go on. */
  static async create(gpu: Gpu, split: GpuSplit, weights: GPUBuffer, bias: GPUBuffer, classes: number, chunkRows = 2048): Promise<Evaluator> {
    const { device } = gpu;
    const features = split.features;
    const rows = Math.min(chunkRows, split.count);
    const dims: Dims = { rows, features, classes };
    const b = {
      order: createBufferWith(device, 'eval order', Uint32Array.from({ length: split.count }, (_, i) => i)), // identity
      x: createBuffer(device, 'eval x', rows * features * 4), // [rows, features]
      y: createBuffer(device, 'eval y', rows * 4), // [rows]
      logits: createBuffer(device, 'eval logits', rows * classes * 4), // [rows, classes]
      probs: createBuffer(device, 'eval probs', rows * classes * 4), // [rows, classes]
      loss: createBuffer(device, 'eval loss', rows * 4),
      predictions: createBuffer(device, 'eval predictions', rows * 4),
      dlogits: createBuffer(device, 'eval unused dlogits', 4),
      lossSum: createBuffer(device, 'eval loss sum', 4), // [1] f32
      correct: createBuffer(device, 'eval correct', 4), // [1] u32
      allPredictions: createBuffer(device, 'eval all predictions', split.count * 4), // [count]
      allProbs: createBuffer(device, 'eval all probabilities', split.count * classes * 4), // [count, classes]
    };
    const [gather, mm, sm, ce, acc] = await Promise.all([
      gatherMinibatch.create(gpu),
      matmulBias.create(gpu),
      softmax.create(gpu),
      logSoftmaxCrossEntropy.create(gpu, { constants: { WRITE_GRAD: 0 } }),
      argmaxAccuracy.create(gpu),
    ]);
    const groups = {
      gather: gather.bind({ images: split.images, labels: split.labels, order: b.order, x: b.x, y: b.y }),
      mm: mm.bind({ x: b.x, w: weights, b: bias, logits: b.logits }),
      sm: sm.bind({ logits: b.logits, probs: b.probs }),
      ce: ce.bind({ logits: b.logits, y: b.y, loss: b.loss, loss_sum: b.lossSum, dlogits: b.dlogits }),
      acc: acc.bind({ logits: b.logits, y: b.y, predictions: b.predictions, correct: b.correct }),
    };
    const slots = StepSlots.create(device, gather.kernel.layout(1), epochSteps(split.count, rows), features, classes, 'eval steps');
    const record = (pass: ComputePass, step: GPUBindGroup) => {
      gather.encode(pass, groups.gather, step, dims);
      mm.encode(pass, groups.mm, step, dims);
      sm.encode(pass, groups.sm, step, dims);
      ce.encode(pass, groups.ce, step, dims);
      acc.encode(pass, groups.acc, step, dims);
    };
    return new Evaluator(gpu, split, classes, slots, b, record);
  }

  /** GPU buffer bytes this evaluator allocated (the split it reads not included). */
  get bytes(): number {
    return Object.values(this.buffers).reduce((n, b) => n + b.size, 0) + this.slots.buffer.size;
  }

  async evaluate(): Promise<Evaluation> {
    const { device } = this.gpu;
    const b = this.buffers;
    const n = this.classes;
    const encoder = device.createCommandEncoder({ label: 'evaluate' });
    encoder.clearBuffer(b.lossSum);
    encoder.clearBuffer(b.correct);
    this.slots.ranges.forEach((range, i) => {
      const pass = encoder.beginComputePass({ label: `evaluate rows ${range.row0}..` });
      this.record(pass, this.slots.groups[i]);
      pass.end();
      encoder.copyBufferToBuffer(b.predictions, 0, b.allPredictions, range.row0 * 4, range.rows * 4);
      encoder.copyBufferToBuffer(b.probs, 0, b.allProbs, range.row0 * n * 4, range.rows * n * 4);
    });
    device.queue.submit([encoder.finish()]);
    const [lossSum, correct, predictions, probabilities] = await Promise.all([
      readBuffer(device, b.lossSum, 4),
      readBuffer(device, b.correct, 4),
      readBuffer(device, b.allPredictions, this.split.count * 4),
      readBuffer(device, b.allProbs, this.split.count * n * 4),
    ]);
    const samples = this.split.count;
    return {
      loss: new Float32Array(lossSum)[0] / samples,
      accuracy: new Uint32Array(correct)[0] / samples,
      samples,
      predictions: new Uint32Array(predictions),
      probabilities: new Float32Array(probabilities),
    };
  }

  destroy(): void {
    for (const buffer of Object.values(this.buffers)) buffer.destroy();
    this.slots.destroy();
  }
}

/** Uploads a split and a set of parameters, evaluates once on the GPU, and frees everything again. */
export async function evaluateParameters(gpu: Gpu, split: ImageSplit, params: Parameters): Promise<Evaluation> {
  const { device } = gpu;
  const gpuSplit = uploadSplit(device, split, params.features, 'eval split');
  const weights = createBufferWith(device, 'W', params.weights); // [features, classes] row-major
  const bias = createBufferWith(device, 'b', params.bias); // [classes]
  const evaluator = await Evaluator.create(gpu, gpuSplit, weights, bias, params.classes);
  try {
    return await evaluator.evaluate();
  } finally {
    evaluator.destroy();
    weights.destroy();
    bias.destroy();
    destroySplit(gpuSplit);
  }
}
