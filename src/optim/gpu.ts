/**
 * An optimizer on the GPU: it owns its update kernels, its hyper-parameter uniforms and its state (momentum
 * buffers, Adam's moments and step count), and updates a model's trainable parameters from their gradients. The
 * trainer records `encodeStep` after the model's step, in the same compute pass; nothing is read back per step.
 *
 *   plain SGD                 sgd_update (sgd_weight_decay where weight decay applies): the kernels the models
 *                             ran before optimizers were components, so their figures are the same
 *   SGD with momentum         sgd_momentum, one momentum_buffer per parameter
 *   Adam                      adam_step_count (t += 1, once), then adam_update per parameter
 * (entry points of shaders/optimizer.wgsl)
 */
import { CheckpointError } from '../errors.js';
import { createBuffer, createBufferWith, readBuffer } from '../gpu/buffers.js';
import type { Gpu } from '../gpu/device.js';
import type { ComputePass } from '../gpu/kernel.js';
import { bound, type Dispatch } from '../kernels/kernel.js';
import { adamUpdate, createAdamUniform, createSgdUniform, optimizerStepCount, sgdMomentum, sgdUpdate, sgdWeightDecay } from '../kernels/optimizer.js';
import { elementsOf, type Parameters } from '../model/tensors.js';
import { checkOptimizer, type OptimizerConfig, STEP_STATE, stateShapes } from './config.js';

/**
 * A tensor the optimizer updates: the model's parameter buffer (`value`, which the model reads) and the gradient
 * its step writes (`grad`, the mean over the minibatch), both padded to whole vec4s with zeros (gpu/buffers.ts).
 */
export interface TrainableParameter {
  /** The parameter's name, as in checkpoints (e.g. 'W1'). */
  name: string;
  /** Its shape, row-major. */
  shape: readonly number[];
  /** Its f32 values on the GPU, which the optimizer updates. */
  value: GPUBuffer;
  /** Its gradient, which the model's step leaves. */
  grad: GPUBuffer;
  /** Whether weight decay applies: weights yes, biases no, as d2l 4.5's concise version. */
  decay: boolean;
}

/** An optimizer built for one model's trainable parameters. */
export interface GpuOptimizer {
  /** The optimizer and its settings (its lr the one setLearningRate last set). */
  readonly config: OptimizerConfig;
  /** GPU buffer bytes it owns (state and uniforms). */
  readonly bytes: number;
  /** Records one update of every parameter from its gradient; after the model's step, in the same pass. */
  encodeStep(pass: ComputePass, step: GPUBindGroup): void;
  /**
   * Its state as named tensors (`${param}.momentum_buffer`; `${param}.exp_avg`, `${param}.exp_avg_sq` and
   * `optimizer.step` for Adam: config.ts's stateShapes), read back from the GPU; empty for plain SGD.
   */
  readState(): Promise<Parameters>;
  /**
   * Sets the learning rate of the steps recorded after it is queued (one small write per uniform, e.g. between
   * epochs for a schedule, as PyTorch's `param_groups[0]['lr'] = lr`); the state is kept.
   */
  setLearningRate(lr: number): void;
  /** Frees its state and uniforms. */
  destroy(): void;
}

/**
 * Builds `config` on the GPU for `params`. `state`: tensors a previous run's readState gave (a checkpoint's), to
 * continue exactly where it stopped; without them (or with none of this optimizer's names) the state starts as
 * PyTorch's does (zero moments, step 0). A state that names some of its tensors but not all is refused.
 */
export async function createOptimizer(gpu: Gpu, config: OptimizerConfig, params: readonly TrainableParameter[], state?: Parameters): Promise<GpuOptimizer> {
  const { device } = gpu;
  const shapes = stateShapes(config, params);
  const given = Object.keys(shapes).filter((name) => state && name in state);
  if (given.length > 0 && given.length < Object.keys(shapes).length) {
    const missing = Object.keys(shapes).find((name) => !(name in state!));
    throw new CheckpointError(`the ${config.kind} optimizer's state lacks ${missing} (it has ${given.length} of its ${Object.keys(shapes).length} tensors); resume from a checkpoint written whole`);
  }
  const stateBuffers: Record<string, GPUBuffer> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const saved = given.length > 0 ? state![name] : undefined;
    if (saved && (saved.shape.join() !== shape.join() || saved.data.length !== elementsOf(shape))) {
      throw new CheckpointError(`optimizer state ${name} has shape [${saved.shape.join(', ')}], the parameter needs [${shape.join(', ')}]`);
    }
    stateBuffers[name] = saved ? createBufferWith(device, name, saved.data) : createBuffer(device, name, elementsOf(shape) * 4);
  }
  const uniforms: GPUBuffer[] = [];
  const dispatches: Dispatch[] = [];
  const decayed = (p: TrainableParameter) => p.decay && config.weightDecay > 0;

  if (config.kind === 'sgd' && config.momentum === 0) {
    const plain = createSgdUniform(device, 'SGD lr', config.lr);
    const decay = createSgdUniform(device, 'SGD lr and weight decay', config.lr, config.weightDecay);
    uniforms.push(plain, decay);
    for (const p of params) {
      const COUNT = elementsOf(p.shape);
      if (decayed(p)) dispatches.push(bound(await sgdWeightDecay.create(gpu, { COUNT }), { sgd: decay, param: p.value, grad: p.grad }));
      else dispatches.push(bound(await sgdUpdate.create(gpu, { COUNT }), { sgd: plain, param: p.value, grad: p.grad }));
    }
  } else if (config.kind === 'sgd') {
    const plain = createSgdUniform(device, 'SGD momentum', config.lr, 0, config.momentum);
    const decay = createSgdUniform(device, 'SGD momentum and weight decay', config.lr, config.weightDecay, config.momentum);
    uniforms.push(plain, decay);
    for (const p of params) {
      const kernel = await sgdMomentum.create(gpu, { COUNT: elementsOf(p.shape) });
      dispatches.push(bound(kernel, { sgd: decayed(p) ? decay : plain, param: p.value, grad: p.grad, momentum_buffer: stateBuffers[`${p.name}.momentum_buffer`] }));
    }
  } else {
    const plain = createAdamUniform(device, 'Adam', { ...config, weightDecay: 0 });
    const decay = createAdamUniform(device, 'Adam with weight decay', config);
    uniforms.push(plain, decay);
    const count = stateBuffers[STEP_STATE];
    dispatches.push(bound(await optimizerStepCount.create(gpu, {}), { step_count: count }));
    for (const p of params) {
      const kernel = await adamUpdate.create(gpu, { COUNT: elementsOf(p.shape) });
      dispatches.push(
        bound(kernel, { adam: decayed(p) ? decay : plain, param: p.value, grad: p.grad, exp_avg: stateBuffers[`${p.name}.exp_avg`], exp_avg_sq: stateBuffers[`${p.name}.exp_avg_sq`], step_count: count }),
      );
    }
  }
  const owned = [...Object.values(stateBuffers), ...uniforms];
  let current = config;
  return {
    get config() {
      return current;
    },
    bytes: owned.reduce((n, b) => n + b.size, 0),
    encodeStep(pass) {
      for (const [kernel, group] of dispatches) kernel.encode(pass, group);
    },
    async readState() {
      const names = Object.keys(shapes);
      const read = await Promise.all(names.map((name) => readBuffer(device, stateBuffers[name], elementsOf(shapes[name]) * 4)));
      return Object.fromEntries(names.map((name, i) => [name, { shape: [...shapes[name]], data: new Float32Array(read[i]) }]));
    },
    setLearningRate(lr) {
      current = checkOptimizer({ ...current, lr }, 'setLearningRate');
      // lr is the first field of every uniform here (Sgd, Sgd with decay or momentum, Adam).
      for (const u of uniforms) device.queue.writeBuffer(u, 0, Float32Array.of(lr));
    },
    destroy() {
      for (const b of owned) b.destroy();
    },
  };
}


