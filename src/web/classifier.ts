/**
 * Class probabilities of one image from the current model, on the GPU with the same evaluator training uses
 * (the model's forward -> softmax). Built once per model: each image is one write into a one-image split and
 * one evaluate(), so a drawing can be classified at every stroke.
 */
import type { Gpu } from '../gpu/device.js';
import { destroySplit, type GpuSplit, uploadSplit } from '../gpu/split.js';
import { type GpuModel, type ModelSpec, pixelsOf } from '../model/model.js';
import { modelDefinition } from '../model/registry.js';
import type { Parameters } from '../model/tensors.js';
import { Evaluator } from '../train/evaluate.js';

export class ImageClassifier {
  private pending: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly gpu: Gpu,
    private readonly split: GpuSplit,
    private readonly model: GpuModel,
    private readonly evaluator: Evaluator,
  ) {}

  static async create(gpu: Gpu, spec: ModelSpec, params: Parameters): Promise<ImageClassifier> {
    const pixels = pixelsOf(spec.input);
    // One blank image with a dummy label: only the probabilities are read, never the loss or accuracy.
    const split = uploadSplit(gpu.device, { images: new Uint8Array(pixels), labels: new Uint8Array(1), count: 1 }, pixels, 'drawing');
    const model = await modelDefinition(spec.kind).create(gpu, spec, params);
    const evaluator = await Evaluator.create(gpu, split, model, 1);
    return new ImageClassifier(gpu, split, model, evaluator);
  }

  /** Probabilities [classes] of `pixels` ([pixels] u8, 0 = background). Calls run one after another. */
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
    this.model.destroy();
    destroySplit(this.split);
  }
}
