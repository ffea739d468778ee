// The web page (src/web/): `npm run web` serves it on 127.0.0.1 (WebGPU needs a secure context, which
// localhost is); `npm run build:web` writes the static site to dist-web/.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { datasetDirectory } from './src/web/vite/dataset_dir.js';
import { kernelSuiteInPage } from './src/web/vite/kernel_suite.js';
import { nodeGuard } from './src/web/vite/node_guard.js';

const repoRoot = fileURLToPath(new URL('.', import.meta.url));
const web = `${repoRoot}src/web/`;

export default defineConfig({
  root: web,
  // Relative asset paths, so dist-web/ works from any folder of any static server.
  base: './',
  // The kernel-suite redirect must come before the guard, which would otherwise refuse the suite's Node GPU entry.
  plugins: [kernelSuiteInPage(repoRoot), nodeGuard(repoRoot), datasetDirectory()],
  server: { host: '127.0.0.1', port: 5173, fs: { allow: [repoRoot] } },
  preview: { host: '127.0.0.1', port: 4173 },
  // The training worker (src/web/worker.ts) is a module worker: ES output, and the guard applies to it too.
  worker: { format: 'es', plugins: () => [nodeGuard(repoRoot)] },
  build: {
    outDir: `${repoRoot}dist-web`,
    emptyOutDir: true,
    target: 'es2022',
    // The kernel suite's file is large; a single chunk per page is what we want anyway.
    chunkSizeWarningLimit: 2000,
    rolldownOptions: { input: { main: `${web}index.html`, kernels: `${web}kernels.html` } },
  },
});
