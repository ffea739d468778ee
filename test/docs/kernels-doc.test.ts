/**
 * docs/kernels.md is generated from the kernel list (tools/gen-kernels-doc.mjs reads every defineKernel in
 * src/kernels/ with its doc comment, overrides and users): it must be what the generator prints today, so a kernel
 * added, removed, renamed or re-documented without regenerating the file turns this red.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOC = join(ROOT, 'docs/kernels.md');

describe('docs/kernels.md', () => {
  it('is what tools/gen-kernels-doc.mjs generates from src/kernels/ today', () => {
    const run = spawnSync(process.execPath, ['tools/gen-kernels-doc.mjs', '--stdout'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const committed = readFileSync(DOC, 'utf8');
    expect(committed, 'docs/kernels.md is stale: run `node tools/gen-kernels-doc.mjs` and commit it').toBe(run.stdout);
  });

  it('has a row for every WGSL file of shaders/ and links only to files that exist', () => {
    const text = readFileSync(DOC, 'utf8');
    expect(text).not.toMatch(/## WGSL files no kernel names/); // every shader has a wrapper
    const links = [...text.matchAll(/\]\((\.\.\/[^)#]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(50);
    const missing = links.filter((link) => !existsSync(join(dirname(DOC), link)));
    expect(missing).toEqual([]);
  });
});
