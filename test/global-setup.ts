// Builds dist/ once before the suite, so the CLI tests run the same compiled entry point users run.
// TEST_NO_BUILD=1 skips it, for a run of tests that do not start the CLI (dist/ is then as it was).
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  if (process.env.TEST_NO_BUILD === '1') return;
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
