/**
 * The page's GPU engine (src/web/engine.ts) in Node, on dawn.node, driven by its messages as the page drives it:
 * what does not need a browser to check. Issue 27: a new model for the classify pad arrived while requests for the
 * old one were queued, and the engine destroyed the old classifier under them ("[Buffer "drawing images"] used in
 * submit while destroyed"), which also broke the next model's pipeline check.
 */
import { existsSync } from 'node:fs';
import { create } from 'webgpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installWebGpuGlobals, LAVAPIPE_ICD } from '../../src/gpu/node.js';
import { fashionMnistSpec, modelDefinition } from '../../src/model/registry.js';
import { GpuEngine } from '../../src/web/engine.js';
import type { EngineEvent, ModelParams } from '../../src/web/protocol.js';
import { decodeFashionMnistFiles, gunzipWeb } from '../../src/data/dataset.js';
import { tinyFiles } from '../data/helpers.js';

let engine: GpuEngine;
const events: EngineEvent[] = [];

beforeAll(() => {
  installWebGpuGlobals();
  if (!process.env.VK_ICD_FILENAMES && existsSync(LAVAPIPE_ICD)) process.env.VK_ICD_FILENAMES = LAVAPIPE_ICD;
  // What the engine reads in a worker: a secure context's navigator.gpu.
  Object.defineProperty(globalThis, 'isSecureContext', { value: true, configurable: true });
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]) }, configurable: true });
  engine = new GpuEngine((event) => events.push(event), true);
});

afterAll(() => {
  engine?.handle({ type: 'lose-device' }); // destroys the device, so Node can exit
});

/** The engine's answer to request `id`, once it has come. */
async function answer(id: number): Promise<EngineEvent> {
  await expect.poll(() => events.some((e) => 'id' in e && e.id === id), { timeout: 60_000 }).toBe(true);
  return events.find((e) => 'id' in e && e.id === id)!;
}

function model(kind: string, seed: number): ModelParams {
  const spec = fashionMnistSpec(kind);
  return { spec, params: modelDefinition(kind).init(spec, seed) };
}

describe('the GPU engine (page side, in Node)', () => {
  it("says its device's storage binding, and refuses at it a model a parameter of which passes it (the form checked at 128 MiB, or another device's)", async () => {
    engine.handle({ type: 'init' });
    await expect.poll(() => events.some((e) => e.type === 'gpu'), { timeout: 60_000 }).toBe(true);
    const gpuEvent = events.find((e) => e.type === 'gpu') as Extract<EngineEvent, { type: 'gpu' }>;
    expect(gpuEvent.bindingLimit).toBe(128 * 2 ** 20); // lavapipe's maxStorageBufferBindingSize, as the device has it
    const data = await decodeFashionMnistFiles(tinyFiles(32, 8, 3), gunzipWeb);
    engine.handle({ type: 'data', data: { train: data.train, test: data.test } });
    const spec = fashionMnistSpec('vgg11', { widthDivisor: 1 });
    engine.handle({ type: 'train', id: 900, settings: { model: 'vgg11', spec, epochs: 1, lr: 0.05, batchSize: 16, seed: 0, samples: 32, testSamples: 8 } });
    const failed = await answer(900);
    expect(failed).toEqual({ type: 'train-failed', id: 900, message: expect.stringMatching(/^model vgg11: parameter 6\.weight is 392 MiB, past the 128 MiB a storage binding holds; no batch size fits/) });
  });

  it('answers every classify request when the model is replaced while requests are queued, and the newest model answers the last', async () => {
    const pixels = Uint8Array.from({ length: 784 }, (_, i) => (i * 37) % 256);
    engine.handle({ type: 'init' });
    let id = 0;
    // Four models in a row, each with requests queued behind it before the next arrives (as epochs end during a run).
    const kinds = ['mlp', 'scratch', 'mlp', 'scratch'];
    const ids: number[] = [];
    for (const [i, kind] of kinds.entries()) {
      engine.handle({ type: 'classifier', model: model(kind, i) });
      for (let r = 0; r < 3; r++) {
        engine.handle({ type: 'classify', id: ++id, pixels });
        ids.push(id);
      }
    }
    const answers = await Promise.all(ids.map(answer));
    expect(answers.filter((a) => a.type !== 'probabilities').map((a) => JSON.stringify(a))).toEqual([]);
    // The last requests are answered by the last model: the same model, given again (a new classifier), gives the same numbers.
    const last = answers.at(-1) as Extract<EngineEvent, { type: 'probabilities' }>;
    expect(last.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    engine.handle({ type: 'classifier', model: model('scratch', kinds.length - 1) });
    engine.handle({ type: 'classify', id: ++id, pixels });
    const again = (await answer(id)) as Extract<EngineEvent, { type: 'probabilities' }>;
    expect(Array.from(again.probabilities)).toEqual(Array.from(last.probabilities));
  });
});
