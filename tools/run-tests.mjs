#!/usr/bin/env node
// The project's test command (`npm test`): runs vitest, then prints the line CI reads:
//   tests: N passed, M failed, K skipped
// K counts tests declared with it.skipIf / describe.skipIf whose condition held (vitest's "pending") and todos.
// Extra arguments go to vitest (e.g. `npm test -- test/kernels`).
//
// REQUIRE_SUBGROUPS=1 (set by .ci/run, whose machine runs lavapipe, which has a fixed subgroup size of 8) makes a
// skipped test with "subgroup" in its file or test name a fault: the run fails and names those tests, since a
// skip there means the subgroup kernels went untested where they should have run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'webgpu-softmax-tests-'));
const report = join(dir, 'vitest.json');
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
const result = spawnSync('npx', args, { stdio: 'inherit', env: { XDG_RUNTIME_DIR: '/tmp', ...process.env } });
const requireSubgroups = process.env.REQUIRE_SUBGROUPS === '1';

let passed = 0;
let failed = 0;
let skipped = 0;
let ok = false;
/** "file > test" for every skipped test that REQUIRE_SUBGROUPS=1 forbids. */
let forbiddenSkips = [];
try {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests ?? 0;
  // A suite that fails to load counts as a failure even when no test inside it ran.
  const brokenSuites = (json.testResults ?? []).filter((s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0).length;
  failed = (json.numFailedTests ?? 0) + brokenSuites;
  skipped = (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
  if (requireSubgroups) {
    forbiddenSkips = (json.testResults ?? []).flatMap((suite) =>
      (suite.assertionResults ?? [])
        .filter((t) => t.status === 'skipped' || t.status === 'pending')
        .map((t) => [relative(process.cwd(), suite.name ?? ''), ...(t.ancestorTitles ?? []), t.title].join(' > '))
        .filter((name) => /subgroup/i.test(name)),
    );
  }
  ok = true;
} catch (err) {
  console.error(`could not read vitest's report: ${err.message}`);
}
rmSync(dir, { recursive: true, force: true });
if (!ok) failed = Math.max(failed, 1);
if (forbiddenSkips.length > 0) {
  const n = forbiddenSkips.length;
  console.log(`REQUIRE_SUBGROUPS=1: ${n} subgroup test${n === 1 ? ' was' : 's were'} skipped; this adapter must run them (lavapipe has subgroups):`);
  for (const name of forbiddenSkips) console.log(`  skipped: ${name}`);
}
const code = result.status !== 0 || failed > 0 || passed === 0 || forbiddenSkips.length > 0 ? 1 : 0;
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(code);
