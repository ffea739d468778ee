/**
 * Holds the page's one GPU device: acquired at load (to name the adapter, or to say why there is none),
 * re-acquired on demand after a device loss, which is announced in the banner.
 */
import { describeAdapter, type Gpu } from '../gpu/device.js';
import { $, errorText } from './dom.js';
import { acquireBrowserGpu } from './gpu.js';

export class GpuState {
  private current: Promise<Gpu> | null = null;
  /** Why this browser gives the page no WebGPU device (said in the banner), or null. */
  problem: string | null = null;

  constructor(
    private readonly onLost: () => void,
    /** When `problem` changes. */
    private readonly onAvailability: () => void,
  ) {}

  /** The device, acquiring one if there is none (first use, or after a loss). */
  get(): Promise<Gpu> {
    this.current ??= this.acquire();
    return this.current;
  }

  private async acquire(): Promise<Gpu> {
    const chip = $('#adapter');
    try {
      const gpu = await acquireBrowserGpu();
      chip.textContent = describeAdapter(gpu.adapterInfo);
      chip.title = `WebGPU adapter: ${JSON.stringify(gpu.adapterInfo)}`;
      chip.dataset.state = 'ok';
      banner(null); // a new device: an earlier loss is over
      void gpu.lost.then((info) => {
        this.current = null;
        chip.dataset.state = 'lost';
        chip.textContent = 'GPU device lost';
        banner(
          `The GPU device was lost (${info.reason === 'destroyed' ? 'destroyed' : 'the browser or driver reset it'}: ` +
            `${info.message || 'no message'}). Whatever was running stopped; press Train or load a checkpoint to continue on a new device.`,
        );
        this.onLost();
      });
      return gpu;
    } catch (err) {
      this.current = null;
      chip.dataset.state = 'none';
      chip.textContent = 'no WebGPU';
      banner(errorText(err));
      this.problem = errorText(err);
      this.onAvailability();
      throw err;
    }
  }
}

export function banner(text: string | null): void {
  const el = $('#banner');
  el.hidden = text === null;
  el.textContent = text ?? '';
}
