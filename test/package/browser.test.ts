/**
 * The package's main entry ('webgpu-softmax', src/index.ts) is browser-safe: bundled for the browser by Vite it
 * pulls in no Node module (node:*, fs, zlib...), no dawn.node (`webgpu`) and no pngjs. The page's build guard
 * refuses such an import by name; the bundle is checked as well, so an import the guard does not know fails too.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Rollup } from 'vite';
import { describe, expect, it } from 'vitest';
import { shaderSourceFromFiles } from '../../src/index.js';
import { nodeGuard } from '../../src/web/vite/node_guard.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function bundle(entry: string, root = ROOT): Promise<{ code: string; warnings: string[] }> {
  const warnings: string[] = [];
  const result = await build({
    configFile: false,
    root,
    logLevel: 'silent',
    plugins: [nodeGuard(root)],
    build: {
      write: false,
      minify: false,
      target: 'es2022',
      lib: { entry, formats: ['es'], fileName: 'index' },
      rolldownOptions: { onwarn: (w) => warnings.push(w.message) },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
  const chunks = outputs.flatMap((o) => o.output).filter((c): c is Rollup.OutputChunk => c.type === 'chunk');
  return { code: chunks.map((c) => c.code).join('\n'), warnings };
}

describe("the browser entry 'webgpu-softmax'", () => {
  it('bundles for the browser without any Node-only module', async () => {
    const { code, warnings } = await bundle('src/index.ts');
    expect(code.length).toBeGreaterThan(10_000);
    // Everything is bundled: no import of anything survives, least of all node:*.
    expect(code.match(/^\s*import\s.*from\s*['"][^'"]+['"]/gm) ?? []).toEqual([]);
    expect(code).not.toMatch(/['"]node:[a-z_/]+['"]/);
    // Vite's stub for a Node built-in, or a CommonJS require of one that slipped through.
    expect(code).not.toMatch(/__vite-browser-external|\brequire\s*\(/);
    expect(warnings.filter((w) => /externalized for browser|node:/.test(w))).toEqual([]);
    // What the entry promises is in the bundle.
    for (const name of ['fit', 'evaluate', 'predict', 'FashionMNIST', 'encodeCheckpoint', 'decodeCheckpoint', 'sheetFromEvaluation', 'Sequential']) {
      expect(code).toMatch(new RegExp(`\\b${name}\\b`));
    }
  });

  it("the Node entry, bundled the same way, is refused by the guard (so the check above can fail)", async () => {
    await expect(bundle('src/node.ts')).rejects.toThrow(/Node-only/);
  });
});

describe('shaderSourceFromFiles', () => {
  it("names the WGSL files as the kernels ask for them, whatever folder a bundler's glob keys them under", () => {
    const shaders = shaderSourceFromFiles({
      '/node_modules/webgpu-softmax/shaders/softmax.wgsl': 'fn a() {}',
      '../../shaders/prelude/step.wgsl': 'struct Step {}',
      'matmul_bias': 'fn m() {}',
    });
    expect(shaders('softmax')).toBe('fn a() {}');
    expect(shaders('prelude/step')).toBe('struct Step {}');
    expect(shaders('matmul_bias')).toBe('fn m() {}');
    expect(() => shaders('cross_entropy')).toThrow(/shaders\/cross_entropy\.wgsl is not among the 3 shader files given/);
  });
});

describe('a third-party bundle of the package', () => {
  it("finds the shaders with a glob relative to the importing file when Vite's root is not the package's folder (README)", async () => {
    // node_modules beside app/, Vite's root app/, the code in app/src/: a glob from the root ('/node_modules/...') misses.
    const project = mkdtempSync(join(tmpdir(), 'webgpu-softmax-bundle-'));
    try {
      mkdirSync(join(project, 'node_modules'));
      symlinkSync(ROOT, join(project, 'node_modules/webgpu-softmax'));
      mkdirSync(join(project, 'app/src'), { recursive: true });
      const main = (glob: string) =>
        `import { shaderSourceFromFiles } from 'webgpu-softmax';\nexport const shaders = shaderSourceFromFiles(import.meta.glob('${glob}', { query: '?raw', import: 'default', eager: true }));\n`;
      writeFileSync(join(project, 'app/src/main.js'), main('../../node_modules/webgpu-softmax/shaders/**/*.wgsl'));
      const { code } = await bundle('src/main.js', join(project, 'app'));
      const bundled = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
      expect(bundled.shaders('prelude/step')).toMatch(/struct Step/);
      // The root-relative glob finds nothing there, so the first shader asked for is refused by name.
      writeFileSync(join(project, 'app/src/main.js'), main('/node_modules/webgpu-softmax/shaders/**/*.wgsl'));
      const rooted = await bundle('src/main.js', join(project, 'app'));
      const missing = await import(`data:text/javascript;base64,${Buffer.from(rooted.code).toString('base64')}`);
      expect(() => missing.shaders('prelude/step')).toThrow(/shaders\/prelude\/step\.wgsl is not among the 0 shader files given/);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it("bundles 'webgpu-softmax/node' as a module that fails at once with the library's own message (the browser condition)", async () => {
    const project = mkdtempSync(join(tmpdir(), 'webgpu-softmax-bundle-'));
    try {
      mkdirSync(join(project, 'node_modules'));
      symlinkSync(ROOT, join(project, 'node_modules/webgpu-softmax'));
      writeFileSync(join(project, 'main.js'), `import { createNodeGpu } from 'webgpu-softmax/node';\nexport const make = createNodeGpu;\n`);
      const { code } = await bundle('main.js', project);
      // None of the Node entry came along: no dawn.node, no file system, no stub of a Node built-in.
      expect(code).not.toMatch(/['"]node:[a-z_/]+['"]|__vite-browser-external|['"]webgpu['"]|readFileSync/);
      // The stand-in has every name the Node entry has, so any import of it bundles.
      const standIn = readFileSync(join(ROOT, 'src/node_browser.ts'), 'utf8');
      expect([...standIn.matchAll(/^export const (\w+)/gm)].map((m) => m[1]).sort()).toEqual(Object.keys(await import('../../src/node.js')).sort());
      await expect(import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)).rejects.toThrow(
        /^webgpu-softmax\/node is the Node entry \(dawn\.node, files\) and cannot run in a browser: import from 'webgpu-softmax' instead/,
      );
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });


  it("imports 'webgpu-softmax' by name and bundles its shaders with a glob, as the README says", async () => {
    // A project of its own, with the package (this checkout, built) and Vite in its node_modules.
    const project = mkdtempSync(join(tmpdir(), 'webgpu-softmax-bundle-'));
    try {
      mkdirSync(join(project, 'node_modules'));
      symlinkSync(ROOT, join(project, 'node_modules/webgpu-softmax'));
      writeFileSync(
        join(project, 'main.js'),
        `import { shaderSourceFromFiles, MODEL_KINDS } from 'webgpu-softmax';
export const shaders = shaderSourceFromFiles(import.meta.glob('/node_modules/webgpu-softmax/shaders/**/*.wgsl', { query: '?raw', import: 'default', eager: true }));
export const kinds = MODEL_KINDS;
`,
      );
      const { code } = await bundle('main.js', project);
      expect(code).not.toMatch(/['"]node:[a-z_/]+['"]|__vite-browser-external/);
      const bundled = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
      expect(bundled.kinds).toEqual(expect.arrayContaining(['scratch', 'concise']));
      expect(bundled.shaders('prelude/step')).toMatch(/struct Step/);
      expect(bundled.shaders('softmax')).toMatch(/@compute/);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
