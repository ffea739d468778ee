/**
 * The step recorder of models whose every step adds its loss and hits to the epoch's totals as it goes (the
 * separate softmax kernels, both MLPs, LeNet): the totals are cleared when an epoch begins and nothing is summed
 * at its end. (Softmax regression's fused path instead stores per-sample results and sums them once.)
 */
import { createBuffer } from '../gpu/buffers.js';
import type { ComputePass } from '../gpu/kernel.js';
import type { StepRecorder } from './model.js';
import type { TrainableParameter } from '../optim/gpu.js';

/** The epoch's running totals, on the GPU until the epoch's end. */
export interface EpochTotals {
  lossSum: GPUBuffer; // [1] f32: sum of per-sample loss over the epoch so far
  correct: GPUBuffer; // [1] u32: correct predictions over the epoch so far
}

export function createEpochTotals(device: GPUDevice): EpochTotals {
  return { lossSum: createBuffer(device, 'loss sum', 4), correct: createBuffer(device, 'correct', 4) };
}

/** A model's kernels for one step, with the bytes of the buffers they own and how to free them. */
export interface ModelSteps {
  bytes: number;
  /** The parameters the trainer's optimizer updates after these kernels (StepRecorder.trainables); none where the step updates its own. */
  trainables?: readonly TrainableParameter[];
  encode(pass: ComputePass, step: GPUBindGroup): void;
  destroy(): void;
}

/** A recorder whose steps (`steps`) add to `totals`; it owns both and frees both. */
export function accumulatingRecorder(summary: string, totals: EpochTotals, steps: ModelSteps): StepRecorder {
  return {
    summary,
    lossSum: totals.lossSum,
    correct: totals.correct,
    bytes: totals.lossSum.size + totals.correct.size + steps.bytes,
    epochEndDispatches: 0,
    trainables: steps.trainables ?? [],
    beginEpoch(encoder) {
      encoder.clearBuffer(totals.lossSum);
      encoder.clearBuffer(totals.correct);
    },
    encodeStep: (pass, step) => steps.encode(pass, step),
    endEpoch() {},
    destroy() {
      steps.destroy();
      totals.lossSum.destroy();
      totals.correct.destroy();
    },
  };
}
