/** The per-epoch table under the chart: the numbers the CLI prints after each epoch. */
import type { EpochRecord } from '../model/checkpoint.js';
import { $ } from './dom.js';

const fixed = (x: number | null, digits: number): string => (x === null || Number.isNaN(x) ? '–' : x.toFixed(digits));

export class EpochTable {
  private readonly body = $<HTMLTableSectionElement>('#epochs tbody');

  clear(): void {
    this.body.replaceChildren();
  }

  /** The last epoch in the table (0: only the untrained model, -1: empty). */
  get lastEpoch(): number {
    return this.body.rows.length - 1;
  }

  /** Keeps epochs 0..epoch (a run that goes on from `epoch` after a lost device trains the rest again). */
  truncate(epoch: number): void {
    while (this.body.rows.length > epoch + 1) this.body.deleteRow(-1);
  }

  /** Epoch 0 (the untrained model) has no training numbers: pass NaN for them. */
  add(record: EpochRecord, testLoss: number | null): void {
    const tr = this.body.insertRow();
    const cells = [
      String(record.epoch),
      fixed(record.loss, 4),
      fixed(record.trainAccuracy, 3),
      fixed(testLoss, 4),
      fixed(record.testAccuracy, 3),
      record.epoch === 0 ? '–' : record.seconds.toFixed(2),
    ];
    for (const text of cells) tr.insertCell().textContent = text;
  }
}
