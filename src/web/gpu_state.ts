/**
 * What the page shows about its GPU: the adapter chip in the header, the banner when there is no WebGPU or the
 * device was lost, and where training runs. The device itself lives in the GPU engine (engine.ts, in a Worker).
 */
import { type AdapterSummary, describeAdapter } from '../gpu/device.js';
import { $ } from './dom.js';
import type { EngineMode } from './gpu_client.js';

export class GpuStatus {
  /** Why this browser gives the page no WebGPU device (said in the banner), or null. */
  problem: string | null = null;
  /** The device's maxStorageBufferBindingSize once there is one: the settings check a model's fit against it. */
  bindingLimit: number | undefined = undefined;
  private readonly chip = $('#adapter');

  /** `onChange`: when `problem` or `bindingLimit` changes. */
  constructor(private readonly onChange: () => void) {}

  ready(adapter: AdapterSummary, mode: EngineMode, bindingLimit: number): void {
    const changed = bindingLimit !== this.bindingLimit;
    this.bindingLimit = bindingLimit;
    this.chip.textContent = describeAdapter(adapter);
    this.chip.title = `WebGPU adapter (used from the ${mode === 'worker' ? 'training worker' : "page's main thread"}): ${JSON.stringify(adapter)}`;
    this.chip.dataset.state = 'ok';
    banner(null); // a new device: an earlier loss is over
    if (changed) this.onChange(); // the settings are checked against its limit
  }

  none(message: string): void {
    this.chip.dataset.state = 'none';
    this.chip.textContent = 'no WebGPU';
    banner(message);
    this.problem = message;
    this.onChange();
  }

  /** `training`: whether a run was going on (it then goes on by itself on a new device). */
  lost(reason: string, message: string, training: boolean): void {
    this.chip.dataset.state = 'lost';
    this.chip.textContent = 'GPU device lost';
    banner(
      `The GPU device was lost (${reason === 'destroyed' ? 'destroyed' : 'the browser or driver reset it'}: ${message}). ` +
        (training
          ? 'Training goes on from the last completed epoch on a new device.'
          : 'The page takes a new device for whatever comes next: press Train, load a checkpoint or classify.'),
    );
  }

  mode(mode: EngineMode): void {
    const note = $('#engine-note');
    note.hidden = mode === 'worker';
    note.textContent = mode === 'worker' ? '' : 'This browser has no WebGPU in workers, so training runs on the page\'s main thread: the page may stutter while it trains.';
  }
}

export function banner(text: string | null): void {
  const el = $('#banner');
  el.hidden = text === null;
  el.textContent = text ?? '';
}
