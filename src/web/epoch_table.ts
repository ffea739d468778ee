/** The per-epoch table under the chart: the numbers the CLI prints after each epoch. */
import type { EpochRecord } from '../model/checkpoint.js';
import { $ } from './dom.js';

const fixed = (x: number | null, digits: number): string => (x === null || Number.isNaN(x) ? '–' : x.toFixed(digits));

export class EpochTable {
  private readonly body = $<HTMLTableSectionElement>('#epochs tbody');

  clear(): void {
    this.body.replaceChildren();
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
