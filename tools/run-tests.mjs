#!/usr/bin/env node
// The project's test command (`npm test`): runs vitest, then prints the line CI reads:
//   tests: N passed, M failed
// Extra arguments go to vitest (e.g. `npm test -- test/kernels`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'webgpu-softmax-tests-'));
const report = join(dir, 'vitest.json');
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
const result = spawnSync('npx', args, { stdio: 'inherit', env: { XDG_RUNTIME_DIR: '/tmp', ...process.env } });

let passed = 0;
let failed = 0;
let ok = false;
try {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests ?? 0;
  // A suite that fails to load counts as a failure even when no test inside it ran.
  const brokenSuites = (json.testResults ?? []).filter((s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0).length;
  failed = (json.numFailedTests ?? 0) + brokenSuites;
  ok = true;
} catch (err) {
  console.error(`could not read vitest's report: ${err.message}`);
}
rmSync(dir, { recursive: true, force: true });
if (!ok) failed = Math.max(failed, 1);
const code = result.status !== 0 || failed > 0 || passed === 0 ? 1 : 0;
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(code);
