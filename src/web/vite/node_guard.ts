/**
 * Fails the page build when a module of the page reaches for Node-only code (node:*, dawn.node, pngjs, or
 * the repo's Node entry points): shared code must stay browser-safe, and this says which import broke it
 * instead of the page dying at run time on a missing polyfill.
 */
import path from 'node:path';
import type { Plugin } from 'vite';

const NODE_ONLY_PACKAGES = new Set(['webgpu', 'pngjs', 'fs', 'path', 'zlib', 'crypto', 'os', 'child_process', 'url']);
const NODE_ONLY_FILES = ['src/gpu/node', 'src/data/node', 'src/model/checkpoint_file', 'src/report/png'];

export function nodeGuard(repoRoot: string): Plugin {
  return {
    name: 'webgpu-softmax:node-guard',
    enforce: 'pre',
    resolveId(source, importer) {
      if (!importer || importer.includes('/node_modules/')) return null;
      const from = path.relative(repoRoot, importer.split('?')[0]);
      const target = source.startsWith('.') ? path.relative(repoRoot, path.resolve(path.dirname(importer.split('?')[0]), source)) : source;
      const nodeOnly = source.startsWith('node:') || NODE_ONLY_PACKAGES.has(source) || NODE_ONLY_FILES.some((f) => target.replace(/\.(js|ts)$/, '') === f);
      if (nodeOnly) this.error(`${from} imports ${source}, which is Node-only: the page cannot load it (keep Node code out of modules the page imports)`);
      return null;
    },
  };
}
