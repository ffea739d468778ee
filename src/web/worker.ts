/**
 * The dedicated Worker the page trains in: the GPU engine (engine.ts) with its own WebGPU device, talking to
 * the page by postMessage (protocol.ts). The page's main thread only draws.
 */
/// <reference lib="webworker" />
import { GpuEngine } from './engine.js';
import type { EngineEvent, Request } from './protocol.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const engine = new GpuEngine((event: EngineEvent, transfer: Transferable[] = []) => scope.postMessage(event, transfer), true);
// For the tests, through Playwright's worker.evaluate(): what ran here.
(scope as unknown as { engineStats: GpuEngine['stats'] }).engineStats = engine.stats;
scope.addEventListener('message', (e: MessageEvent<Request>) => engine.handle(e.data));
