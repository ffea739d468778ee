/**
 * The peer contenders of `npm run bench`. A driver should use isolatedPeer(): every peer then runs in its own
 * child process (tfjs allows one active backend per process; peak memory stays per peer).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ChildContender } from './child.js';
import type { Contender } from './contender.js';

export const PEER_NAMES = ['tfjs-webgpu', 'tfjs-wasm', 'pytorch'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

export interface PeerOptions {
  /** PyTorch only: where the data and model live. */
  device?: 'cpu' | 'cuda';
  /** PyTorch only: torch.set_num_threads and OpenBLAS threads (default 1: steadiest on this 2-core machine). */
  threads?: number;
  /** PyTorch only: try torch.compile (needs torch >= 2; the note says when it falls back to eager). */
  compile?: boolean;
}

/** Interpreter for the PyTorch peer: Debian's python3-torch is only visible to /usr/bin/python3. */
export const BENCH_PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';

export function isPeerName(name: string): name is PeerName {
  return (PEER_NAMES as readonly string[]).includes(name);
}

/** PyTorch always runs in a child: a Python process speaking the same line protocol. Skipped if torch is absent. */
export function pytorchPeer(opts: PeerOptions = {}): Contender {
  // Next to this file when run from source; compiled code in dist/tools/bench/ looks back in tools/bench/.
  let script = fileURLToPath(new URL('./pytorch_softmax.py', import.meta.url));
  if (!existsSync(script)) script = fileURLToPath(new URL('../../../tools/bench/pytorch_softmax.py', import.meta.url));
  const args = [script, `--device=${opts.device ?? 'cpu'}`, `--threads=${opts.threads ?? 1}`];
  if (opts.compile) args.push('--compile');
  return new ChildContender(`pytorch-${opts.device ?? 'cpu'}`, { command: BENCH_PYTHON, args, optional: true });
}

/** The peer in this process. Use at most one tfjs peer per process. */
export async function createPeer(name: PeerName, opts: PeerOptions = {}): Promise<Contender> {
  if (name === 'pytorch') return pytorchPeer(opts);
  const { TfjsContender } = await import('./tfjs.js'); // loads tfjs only where a tfjs peer runs
  return new TfjsContender(name === 'tfjs-webgpu' ? 'webgpu' : 'wasm');
}

/** The peer in its own child process (node run-peer.js --serve for tfjs, Python for PyTorch). */
export function isolatedPeer(name: PeerName, opts: PeerOptions = {}): Contender {
  if (name === 'pytorch') return pytorchPeer(opts);
  const runPeer = fileURLToPath(new URL('./run-peer.js', import.meta.url));
  // Optional: a machine without a WebGPU adapter lists tfjs-webgpu as skipped (with the reason) instead of failing.
  const args = [runPeer, `--peer=${name}`];
  return new ChildContender(`${name} (custom loop)`, { command: process.execPath, args, optional: true });
}
