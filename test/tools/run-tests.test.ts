/**
 * tools/run-tests.mjs (`npm test`) on a tiny suite of its own (test/fixtures/run-tests/, run with --root there):
 * its last line counts passed, failed and skipped tests from vitest's JSON report, and REQUIRE_SUBGROUPS=1 (what
 * .ci/run sets: CI runs on lavapipe, which has subgroups) turns a skipped subgroup test into a failed run.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function runTests(filter: string, env: Record<string, string> = {}) {
  // The child is a vitest run of its own: none of this worker's VITEST_* variables.
  // Nor REQUIRE_SUBGROUPS from the outer run (.ci/run sets it): each case says whether it wants it.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_ENV' && k !== 'REQUIRE_SUBGROUPS'));
  const r = spawnSync(process.execPath, ['tools/run-tests.mjs', '--root', 'test/fixtures/run-tests', filter], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...base, ...env },
    timeout: 120_000,
  });
  const lines = r.stdout.trimEnd().split('\n');
  return { code: r.status, lines, last: lines.at(-1), output: r.stdout + r.stderr };
}

describe('npm test (tools/run-tests.mjs)', () => {
  it('ends with "tests: N passed, M failed, K skipped", skips and todos counted apart from passes', () => {
    const r = runTests('skips');
    expect(r.last, r.output).toBe('tests: 2 passed, 0 failed, 3 skipped');
    expect(r.code).toBe(0);
  });

  it('REQUIRE_SUBGROUPS=1: a skipped test with "subgroup" in its name fails the run and is named; other skips do not', () => {
    const r = runTests('skips', { REQUIRE_SUBGROUPS: '1' });
    expect(r.last, r.output).toBe('tests: 2 passed, 0 failed, 3 skipped');
    expect(r.code).toBe(1);
    const named = r.lines.filter((l) => l.startsWith('  skipped: '));
    expect(named).toEqual(['  skipped: test/fixtures/run-tests/skips.fixture.ts > kernel_subgroup: the fast path > rows 7']);
    expect(r.lines).toContain('REQUIRE_SUBGROUPS=1: 1 subgroup test was skipped; this adapter must run them (lavapipe has subgroups):');
  });

  it('a failed test fails the run and is counted', () => {
    const r = runTests('fails');
    expect(r.last, r.output).toBe('tests: 1 passed, 1 failed, 0 skipped');
    expect(r.code).toBe(1);
  });

  it('.ci/run runs the suite with REQUIRE_SUBGROUPS=1', () => {
    expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toMatch(/^REQUIRE_SUBGROUPS=1 npm test$/m);
  });
});
