/**
 * Our contenders: the GPU trainer under different orchestrations, and the CPU reference trainer as a floor.
 * They run in the driver's process; each gets its own WebGPU device.
 */
import { describeAdapter, type Gpu } from '../../src/gpu/device.js';
import { createNodeGpu } from '../../src/gpu/node.js';
import type { ModelOptions, ModelSpec } from '../../src/model/model.js';
import { fashionMnistSpec, modelDefinition } from '../../src/model/registry.js';
import { cloneParameters, type Parameters } from '../../src/model/tensors.js';
import { evaluate, trainEpoch } from '../../src/reference/train.js';
import { type KernelTime, Profiler } from '../../src/train/profile.js';
import { Trainer } from '../../src/train/trainer.js';
import type { BenchData, Contender, EpochResult } from './contender.js';

export interface OursOptions {
  /** Model kind (default scratch) and its options (e.g. { kernels: 'separate' }). */
  model?: string;
  modelOptions?: ModelOptions;
  stepsPerSubmit?: number;
}

export class OursContender implements Contender {
  adapter?: string;
  notes?: string;
  skipped?: boolean;
  /** GPU buffer bytes held (dataset included), known after setup. */
  gpuBytes = 0;
  /** Dispatches and queue.submits per epoch, known after setup. */
  dispatchesPerEpoch = 0;
  submitsPerEpoch = 0;
  private gpu?: Gpu;
  private trainer?: Trainer;

  constructor(
    readonly name: string,
    private readonly options: OursOptions = {},
  ) {}

  async setup(data: BenchData): Promise<void> {
    this.gpu = await createNodeGpu();
    this.adapter = describeAdapter(this.gpu.adapterInfo);
    const spec = fashionMnistSpec(this.options.model ?? 'scratch', this.options.modelOptions ?? {});
    const definition = modelDefinition(spec.kind);
    // A model no batch size of which fits this device's storage bindings (a parameter, or one image's activation, past
    // them) is listed as skipped, with the reason, as the CLI refuses it; a batch whose activations pass them trains in chunks.
    const problem = definition.problem?.(spec, data.batchSize, this.gpu.device.limits.maxStorageBufferBindingSize);
    if (problem) {
      this.skipped = true;
      this.notes = `skipped: ${problem}`;
      return;
    }
    this.trainer = await Trainer.create(
      this.gpu,
      {
        train: { images: data.trainImages, labels: data.trainLabels, count: data.trainCount },
        test: { images: data.testImages, labels: data.testLabels, count: data.testCount },
      },
      spec,
      definition.init(spec, data.seed),
      { lr: data.lr, batchSize: data.batchSize, seed: data.seed, stepsPerSubmit: this.options.stepsPerSubmit },
    );
    this.gpuBytes = this.trainer.gpuBytes();
    this.dispatchesPerEpoch = this.trainer.dispatchesPerEpoch();
    this.submitsPerEpoch = Math.ceil(this.trainer.stepsPerEpoch / this.trainer.config.stepsPerSubmit);
    this.notes = `${this.trainer.summary}, ${this.dispatchesPerEpoch} dispatches and ${this.submitsPerEpoch} submits per epoch`;
  }

  async trainEpoch(epoch: number): Promise<EpochResult> {
    const m = await this.trainer!.trainEpoch(epoch);
    return { seconds: m.seconds, loss: m.loss, trainAccuracy: m.trainAccuracy };
  }

  async testAccuracy(): Promise<number> {
    return (await this.trainer!.evaluate()).accuracy;
  }

  /** Trains one more epoch with every kernel timed. */
  async profileEpoch(epoch: number): Promise<KernelTime[]> {
    const profiler = new Profiler(this.gpu!.device);
    try {
      await this.trainer!.trainEpoch(epoch, undefined, profiler);
      return profiler.report();
    } finally {
      profiler.destroy();
    }
  }

  async dispose(): Promise<void> {
    this.trainer?.destroy();
    this.gpu?.device.destroy();
  }
}

/** src/reference/train.ts: the same steps in plain TypeScript with f64 accumulation. */
export class ReferenceContender implements Contender {
  readonly name = 'CPU reference (TypeScript, f64)';
  notes = 'the kernels\' CPU twins, single thread; a correctness floor, not a peer';
  private data?: BenchData;
  private params?: Parameters;
  private readonly spec: ModelSpec = fashionMnistSpec('scratch');

  async setup(data: BenchData): Promise<void> {
    this.data = data;
    this.params = cloneParameters(modelDefinition(this.spec.kind).init(this.spec, data.seed));
  }

  async trainEpoch(epoch: number): Promise<EpochResult> {
    const d = this.data!;
    const start = performance.now();
    const m = trainEpoch(this.spec, this.params!, { images: d.trainImages, labels: d.trainLabels, count: d.trainCount }, { lr: d.lr, batchSize: d.batchSize, seed: d.seed, epoch });
    return { seconds: (performance.now() - start) / 1000, loss: m.loss, trainAccuracy: m.trainAccuracy };
  }

  async testAccuracy(): Promise<number> {
    const d = this.data!;
    return evaluate(this.spec, this.params!, { images: d.testImages, labels: d.testLabels, count: d.testCount }).accuracy;
  }

  async dispose(): Promise<void> {}
}
