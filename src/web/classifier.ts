/**
 * Class probabilities of one 28x28 image from the current model, on the GPU with the same evaluator
 * training uses (gather -> x·W + b -> softmax). Built once per model: each image is one 784-byte write
 * into a one-image split and one evaluate(), so a drawing can be classified at every stroke.
 */
import type { Gpu } from '../gpu/device.js';
import { createBufferWith } from '../gpu/buffers.js';
import type { Parameters } from '../model/parameters.js';
import { Evaluator } from '../train/evaluate.js';
import { destroySplit, type GpuSplit, uploadSplit } from '../train/gpu_dataset.js';

export class ImageClassifier {
  private pending: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly gpu: Gpu,
    private readonly split: GpuSplit,
    private readonly buffers: GPUBuffer[],
    private readonly evaluator: Evaluator,
  ) {}

  static async create(gpu: Gpu, params: Parameters): Promise<ImageClassifier> {
    const { device } = gpu;
    // One blank image with a dummy label: only the probabilities are read, never the loss or accuracy.
    const split = uploadSplit(device, { images: new Uint8Array(params.features), labels: new Uint8Array(1), count: 1 }, params.features, 'drawing');
    const weights = createBufferWith(device, 'classify W', params.weights); // [features, classes]
    const bias = createBufferWith(device, 'classify b', params.bias); // [classes]
    const evaluator = await Evaluator.create(gpu, split, weights, bias, params.classes, 1);
    return new ImageClassifier(gpu, split, [weights, bias], evaluator);
  }

  /** Probabilities [classes] of `pixels` ([features] u8, 0 = background). Calls run one after another. */
  classify(pixels: Uint8Array): Promise<Float32Array> {
    const run = this.pending.then(async () => {
      this.gpu.device.queue.writeBuffer(this.split.images, 0, pixels as Uint8Array<ArrayBuffer>);
      return (await this.evaluator.evaluate()).probabilities;
    });
    this.pending = run.catch(() => undefined);
    return run;
  }

  destroy(): void {
    this.evaluator.destroy();
    for (const b of this.buffers) b.destroy();
    destroySplit(this.split);
  }
}
