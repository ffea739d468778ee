/**
 * The API reference builds without a warning (`npm run docs`: typedoc over src/index.ts and src/node.ts with
 * --treatWarningsAsErrors): every type the public API mentions is exported, every {@link} resolves, and every
 * export and member has a doc comment (typedoc.json's notDocumented).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

it('npm run docs builds the API reference without warnings, every export documented', () => {
  // notDocumented: an export or member without a doc comment is a warning, so a failure, here.
  const config = JSON.parse(readFileSync(join(ROOT, 'typedoc.json'), 'utf8'));
  expect(config.validation).toMatchObject({ notExported: true, invalidLink: true, notDocumented: true });
  const out = mkdtempSync(join(tmpdir(), 'webgpu-softmax-docs-'));
  try {
    const run = spawnSync('npx', ['typedoc', '--treatWarningsAsErrors', '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
    const printed = `${run.stdout}${run.stderr}`;
    expect(printed).not.toMatch(/\[warning\]|\[error\]/);
    expect(run.status, printed).toBe(0);
    for (const page of ['index.html', 'functions/webgpu-softmax.fit.html', 'classes/webgpu-softmax_node.FashionMNIST.html']) expect(existsSync(join(out, page)), page).toBe(true);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
