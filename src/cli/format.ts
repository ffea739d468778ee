/** How the CLI prints training progress: one line per epoch, as d2l's train_ch3 does. */
import type { EpochRecord } from '../model/checkpoint.js';

export function formatEpoch(r: EpochRecord): string {
  const test = r.testAccuracy === null ? '' : `, test acc ${r.testAccuracy.toFixed(3)}`;
  return `epoch ${r.epoch}, loss ${r.loss.toFixed(4)}, train acc ${r.trainAccuracy.toFixed(3)}${test}, ${r.seconds.toFixed(2)} s`;
}
