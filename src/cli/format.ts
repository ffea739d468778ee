/** How the CLI prints training: one line per epoch, as d2l's train_ch3 does, and the --profile table. */
import type { EpochRecord } from '../model/checkpoint.js';
import type { KernelTime } from '../train/profile.js';

export function formatEpoch(r: EpochRecord): string {
  const test = r.testAccuracy === null ? '' : `, test acc ${r.testAccuracy.toFixed(3)}`;
  return `epoch ${r.epoch}, loss ${r.loss.toFixed(4)}, train acc ${r.trainAccuracy.toFixed(3)}${test}, ${r.seconds.toFixed(2)} s`;
}

export function formatProfile(times: KernelTime[]): string {
  const total = times.reduce((s, t) => s + t.totalMs, 0);
  const rows = times.map((t) => `  ${t.kernel.padEnd(30)} ${String(t.dispatches).padStart(6)} ${t.totalMs.toFixed(1).padStart(9)} ${t.meanUs.toFixed(1).padStart(9)} ${((100 * t.totalMs) / total).toFixed(1).padStart(6)}%`);
  return [`  ${'kernel'.padEnd(30)} ${'calls'.padStart(6)} ${'total ms'.padStart(9)} ${'mean us'.padStart(9)} ${'share'.padStart(7)}`, ...rows, `  ${'all kernels'.padEnd(30)} ${''.padStart(6)} ${total.toFixed(1).padStart(9)}`].join('\n');
}
