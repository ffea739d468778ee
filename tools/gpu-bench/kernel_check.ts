/**
 * The kernel-correctness suite (test/kernels/*.test.ts: every kernel against its CPU twin) without vitest: the
 * compiled test files run through the page's small runner (src/web/check/), on dawn.node's adapter. It is the
 * GPU machine's check that our kernels compute the right numbers there before anything is timed.
 *
 *   node dist/tools/gpu-bench/kernel_check.js [--only REGEX] [--list]
 *
 * Prints one line per failure and a last line "kernel check: N passed, M failed, K skipped (S s) on ADAPTER"
 * (a test declared with it.skipIf / describe.skipIf whose condition holds, e.g. the subgroup kernels' tests on an
 * adapter without a fixed subgroup size, is skipped, not run); exits 1 when any test failed or none ran.
 */
import { readdirSync } from 'node:fs';
import { register } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { describeAdapter } from '../../src/gpu/device.js';
import { collectFile, type RegisteredTest } from '../../src/web/check/registry.js';

const USAGE = `usage: node dist/tools/gpu-bench/kernel_check.js [--only REGEX] [--list]

Runs the compiled kernel suite (dist/test/kernels/*.test.js; build it with
npx tsc -p tools/gpu-bench/tsconfig.json) on dawn.node's adapter, without vitest.

  --only REGEX   tests whose "file > describe > test" name matches
  --list         print the test names and exit
  -h, --help     this help`;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, list: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  register('./vitest_hooks.js', import.meta.url);
  const dir = fileURLToPath(new URL('../../test/kernels/', import.meta.url));
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort();
  } catch {
    files = [];
  }
  if (files.length === 0) throw new Error(`no compiled kernel tests in ${dir}: run npx tsc -p tools/gpu-bench/tsconfig.json first`);

  const all: RegisteredTest[] = [];
  for (const f of files) all.push(...(await collectFile(`test/kernels/${f.replace(/\.js$/, '.ts')}`, () => import(pathToFileURL(dir + f).href))));
  const pattern = values.only ? new RegExp(values.only) : null;
  const chosen = pattern ? all.filter((t) => pattern.test(`${t.file} > ${t.name}`)) : all;
  if (values.list) {
    for (const t of chosen) console.log(`${t.file} > ${t.name}`);
    return 0;
  }

  // The same device the suite's harness uses (testGpu() keeps one per process), to name the adapter.
  const { testGpu } = await import(pathToFileURL(`${dir}harness.js`).href);
  const gpu = await testGpu();
  const adapter = describeAdapter(gpu.adapterInfo);
  const started = performance.now();
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const t of chosen) {
    if (t.skip !== null) {
      skipped++;
      continue;
    }
    try {
      await t.run();
      passed++;
    } catch (err) {
      failed++;
      console.log(`FAIL ${t.file} > ${t.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`kernel check: ${passed} passed, ${failed} failed, ${skipped} skipped (${chosen.length} of ${all.length} tests, ${seconds} s) on ${adapter}`);
  gpu.device.destroy();
  return failed === 0 && passed > 0 ? 0 : 1;
}

// Exit explicitly: a dawn.node GPU object keeps the event loop alive after the work is done.
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
