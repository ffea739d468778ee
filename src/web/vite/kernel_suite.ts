/**
 * Lets the page import the kernel-correctness suite (test/kernels/*.test.ts) as it is: inside those files,
 * 'vitest' resolves to the page's small runner and the harness's Node GPU entry to the browser's. Only
 * imports made from test/kernels/ are redirected; nothing else in the page or in the Node tests changes.
 */
import path from 'node:path';
import type { Plugin } from 'vite';

export function kernelSuiteInPage(repoRoot: string): Plugin {
  const suiteDir = path.join(repoRoot, 'test', 'kernels') + path.sep;
  const shim = path.join(repoRoot, 'src', 'web', 'check', 'vitest_shim.ts');
  const gpu = path.join(repoRoot, 'src', 'web', 'check', 'suite_gpu.ts');
  return {
    name: 'webgpu-softmax:kernel-suite-in-page',
    enforce: 'pre',
    resolveId(source, importer) {
      const from = importer?.split('?')[0];
      if (!from || !path.resolve(from).startsWith(suiteDir)) return null;
      if (source === 'vitest') return shim;
      if (/(^|\/)src\/gpu\/node(\.js|\.ts)?$/.test(source)) return gpu;
      return null;
    },
  };
}
