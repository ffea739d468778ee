/**
 * The kernel-checks page: imports test/kernels/*.test.ts through the page's bundler (see
 * src/web/vite/kernel_suite.ts), runs its tests on the browser's device (all of them: about 3 s even on
 * SwiftShader; ?only=REGEX picks some), and shows each result. A test declared with `it.skipIf` /
 * `describe.skipIf` whose condition holds here (the subgroup kernels' tests, where the browser gives no
 * `subgroups` of one fixed size) does not run and is shown as skipped with the reason, never as passed. #shapes says
 * which kernel shapes ran: the subgroup ones with their size, or the generic ones only and why. The summary
 * element's data-state / data-passed / data-failed / data-skipped / data-subgroup-size are what the browser test
 * (test/web/kernels.test.ts) reads.
 */
import '../style.css';
import './check.css';
import { describeAdapter } from '../../gpu/device.js';
import { subgroupSize } from '../../kernels/subgroups.js';
import { acquireBrowserGpu } from '../gpu.js';
import { collectFile, type RegisteredTest } from './registry.js';

const suite = import.meta.glob('../../../test/kernels/*.test.ts');

const summary = document.querySelector<HTMLElement>('#summary')!;
const tbody = document.querySelector<HTMLTableSectionElement>('#results tbody')!;

function row(cells: string[], className = ''): HTMLTableRowElement {
  const tr = tbody.insertRow();
  tr.className = className;
  for (const text of cells) tr.insertCell().textContent = text;
  return tr;
}

function fileTitle(path: string): string {
  return path.replace(/^.*\/test\//, 'test/');
}

async function main(): Promise<void> {
  let gpuName: string;
  try {
    // The suite's harness acquires its own device; this one only checks WebGPU works and names the adapter.
    const gpu = await acquireBrowserGpu();
    gpuName = describeAdapter(gpu.adapterInfo);
    // The suite's harness decides per test with the same subgroupSize() (test/kernels/harness.ts).
    const size = subgroupSize(gpu);
    const why = gpu.device.features.has('subgroups') ? "this adapter's subgroup size is not one fixed power of two up to 32" : 'this browser gives no subgroups';
    document.querySelector('#shapes')!.textContent = size
      ? `Kernel shapes: the subgroup kernels run, with subgroups of ${size}, beside the generic ones.`
      : `Kernel shapes: the generic kernels only (${why}); the subgroup kernels' checks are skipped.`;
    summary.dataset.subgroupSize = String(size ?? 0);
    gpu.device.destroy();
  } catch (err) {
    const message = document.querySelector<HTMLElement>('#message')!;
    message.hidden = false;
    message.textContent = err instanceof Error ? err.message : String(err);
    summary.textContent = 'cannot run: no WebGPU device';
    summary.dataset.state = 'error';
    return;
  }
  document.querySelector('#adapter')!.textContent = gpuName;

  const all: RegisteredTest[] = [];
  for (const path of Object.keys(suite).sort()) all.push(...(await collectFile(fileTitle(path), suite[path])));
  const only = new URLSearchParams(location.search).get('only');
  const pattern = only ? new RegExp(only) : null;
  const chosen = pattern ? all.filter((t) => pattern.test(`${t.file} ${t.name}`)) : all;

  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const started = performance.now();
  let lastFile = '';
  for (const [i, test] of chosen.entries()) {
    if (test.file !== lastFile) {
      row([test.file, '', ''], 'file');
      lastFile = test.file;
    }
    summary.textContent = `running ${i + 1} of ${chosen.length} (of ${all.length} in the suite)…`;
    if (test.skip !== null) {
      skipped++;
      row([test.name, `skipped: ${test.skip}`, ''], 'skip');
      continue;
    }
    const tr = row([test.name, 'running', '']);
    const t0 = performance.now();
    try {
      await test.run();
      passed++;
      tr.cells[1].textContent = 'pass';
      tr.classList.add('pass');
    } catch (err) {
      failed++;
      tr.cells[1].textContent = `FAIL: ${err instanceof Error ? err.message : String(err)}`;
      tr.classList.add('fail');
    }
    tr.cells[2].textContent = (performance.now() - t0).toFixed(0);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  summary.textContent = `${passed} passed, ${failed} failed, ${skipped} skipped (${chosen.length} of the suite's ${all.length} tests, ${seconds} s)`;
  summary.dataset.passed = String(passed);
  summary.dataset.failed = String(failed);
  summary.dataset.skipped = String(skipped);
  summary.dataset.total = String(all.length);
  summary.dataset.state = 'done';
}

main().catch((err: unknown) => {
  summary.textContent = `the check page itself failed: ${err instanceof Error ? err.message : String(err)}`;
  summary.dataset.state = 'error';
});
