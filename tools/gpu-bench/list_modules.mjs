#!/usr/bin/env node
// The node_modules files the GPU machine needs, for tools/gpu-bench/prepare's tarball: the runtime dependencies
// (package.json "dependencies") and the bench's TensorFlow.js peers, with their dependencies as package-lock.json
// resolves them, minus what no code there loads. Prints paths relative to the repo root, NUL-separated (for
// `tar --null -T -`); --summary prints the package count and raw size on stderr instead.
//
//   node tools/gpu-bench/list_modules.mjs [--summary] [REPO_ROOT]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';

const args = process.argv.slice(2);
if (args.includes('-h') || args.includes('--help')) {
  console.log('usage: node tools/gpu-bench/list_modules.mjs [--summary] [REPO_ROOT]\n\nPrints the node_modules files the GPU machine needs, NUL-separated, relative to REPO_ROOT (default .).');
  process.exit(0);
}
const summary = args.includes('--summary');
const root = args.find((a) => !a.startsWith('--')) ?? '.';

// What the bench loads besides the package's own dependencies: the tfjs and jax-js peers (devDependencies).
const BENCH_PEERS = ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', '@jax-js/jax'];
// Dependencies that nothing loads at run time: type declarations, and the tfjs union package's converter-wizard
// command-line tools (its Node bundle, dist/tf.node.js, requires none of them; prepare's smoke check imports
// the packed tree to make sure).
const UNUSED = [/^@types\//, /^@webgpu\/types$/, /^(core-js|yargs|chalk|argparse|regenerator-runtime)$/];
// The device is x86-64 Linux: dawn.node's other platform builds are 130 MB of the 150 MB of `webgpu`.
const DAWN_PLATFORM = 'linux-x64';

const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** npm's lookup: node_modules/NAME beside the dependent package, then in each folder above it. */
function locate(name, from) {
  let dir = from;
  for (;;) {
    const key = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (lock[key]) return key;
    if (!dir) return null;
    const up = dir.lastIndexOf('/node_modules/');
    dir = up < 0 ? '' : dir.slice(0, up);
  }
}

const keep = new Set();
const queue = [...Object.keys(pkg.dependencies ?? {}), ...BENCH_PEERS].map((name) => [name, '', false]);
while (queue.length) {
  const [name, from, optional] = queue.shift();
  if (UNUSED.some((re) => re.test(name))) continue;
  const key = locate(name, from);
  if (!key && optional) continue; // an optional peer that was never installed (node-fetch's `encoding`)
  if (!key) throw new Error(`${name} is not in package-lock.json: run npm ci, then prepare again`);
  if (keep.has(key)) continue;
  keep.add(key);
  const entry = lock[key];
  for (const dep of Object.keys(entry.dependencies ?? {})) queue.push([dep, key, false]);
  for (const dep of Object.keys(entry.peerDependencies ?? {})) queue.push([dep, key, Boolean(entry.peerDependenciesMeta?.[dep]?.optional)]);
}

/** Whether the file (path inside its package) is loaded at run time. */
function wanted(pkgName, rel) {
  const base = posix.basename(rel);
  if (/\.(map|d\.[cm]?ts|ts|md|markdown)$/i.test(base) && !/^LICEN[CS]E/i.test(base)) return false;
  if (rel.startsWith('node_modules/')) return false; // nested packages are listed on their own
  if (pkgName === 'webgpu' && rel.startsWith('dist/')) return rel.startsWith(`dist/${DAWN_PLATFORM}/`);
  // tfjs packages ship ESM sources, browser bundles and minified copies; Node loads only dist/*.node.js (and
  // the wasm backend reads its .wasm files from dist/).
  if (pkgName.startsWith('@tensorflow/') && rel.startsWith('dist/')) return /^dist\/[^/]+\.(node\.js|wasm)$/.test(rel);
  if (pkgName.startsWith('@tensorflow/') && /^(src|scripts|wasm-out)\//.test(rel)) return false;
  return true;
}

const files = [];
let bytes = 0;
function walk(pkgName, pkgDir, rel) {
  for (const entry of readdirSync(join(root, pkgDir, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      // Nested node_modules are listed as packages of their own; dot folders are build caches (.rollup.cache).
      if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(pkgName, pkgDir, path);
    } else if (entry.isFile() && wanted(pkgName, path)) {
      files.push(`${pkgDir}/${path}`);
      bytes += statSync(join(root, pkgDir, path)).size;
    }
  }
}
for (const key of [...keep].sort()) walk(key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length), key, '');

if (summary) console.error(`node_modules for the GPU machine: ${keep.size} packages, ${files.length} files, ${(bytes / 2 ** 20).toFixed(1)} MiB before compression`);
else process.stdout.write(files.map((f) => `${f}\0`).join(''));
