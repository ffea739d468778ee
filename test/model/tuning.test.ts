/**
 * StepContext.tuning reaches every model: a step (and an evaluation forward) made with tiles the tables never use
 * creates its dense kernels, its subgroup convolutions and its fused kernels in those tiles, seen in the override
 * constants of every kernel it creates (watchKernels). A model that read gpu/tuning.ts's tables itself would create
 * the tables' tiles and fail here; so would a model that took some kernels from the override and others not.
 */
import { describe, expect, it } from 'vitest';
import { createBuffer } from '../../src/gpu/buffers.js';
import { type KernelSource, watchKernels } from '../../src/gpu/kernel.js';
import { uploadSplit } from '../../src/gpu/split.js';
import { type ConvTiles, type FusedShapes, type MlpTiles, type Tuning, tuningFor } from '../../src/gpu/tuning.js';
import { subgroupSize } from '../../src/kernels/subgroups.js';
import type { ModelOptions } from '../../src/model/model.js';
import { modelDefinition } from '../../src/model/registry.js';
import { plainSgd } from '../../src/optim/index.js';
import { Rng } from '../../src/random.js';
import { testGpu } from '../kernels/harness.js';

// Tiles no table holds (gpu/tuning.ts MLP_TILES, CONV_TILES, FUSED_SHAPES), with the subgroup and workgroup-memory
// shapes off so that every dense kernel takes the register tiles (the workgroup-memory tile's test turns it on).
const DENSE: MlpTiles = {
  forward: { workgroup: 32, rows: 3, cols: 5 },
  inputGrad: { workgroup: 32, rows: 5, cols: 3 },
  weightGrad: { workgroup: 32, rows: 7, cols: 3 },
  weightGradU8: { workgroup: 32, words: 3, cols: 5 },
  subgroups: { enabled: false, workgroup: 32, words: 1, chunks: 1, kPerLane: 1 },
  workgroupMemory: false,
  tiled: { rows: 16, cols: 32, depth: 8, blockRows: 4, blockCols: 8 },
};
// (A pooling forward needs an even R: the unpadded tile keeps the table's 2 x 1, its channel groups differ.)
const CONV: ConvTiles = { forward: { unpadded: { R: 2, PV: 1 }, padded: { R: 1, PV: 1 }, channelGroups: 1 }, weightGrad: { maxChannels: 1, maxUnrolled: 140, chunks: 8 } };
const FUSED: FusedShapes = { forward: { workgroup: 24, rows: 3 }, update: { workgroup: 40 } };

/** What each dense entry point must be created with under DENSE. */
const DENSE_CONSTANTS: Record<string, Record<string, number>> = {
  forward: { WG: 32, TR: 3, TC: 5 },
  input_grad: { WG: 32, TR: 5, TC: 3 },
  weight_grad: { WG: 32, TR: 7, TC: 3 },
};
/** The first layer's weight gradient from the u8 images: TR words of 4 pixels (weightGradU8). */
const DENSE_U8_WEIGHT_GRAD = { WG: 32, TR: 3, TC: 5 };

/** The kernels a step and an evaluation forward of `kind` create with `tuning`. */
async function kernelsOf(kind: string, options: ModelOptions, tuning: Tuning): Promise<KernelSource[]> {
  const gpu = await testGpu();
  const definition = modelDefinition(kind);
  const spec = definition.spec({ channels: 1, height: 28, width: 28 }, 10, options);
  const maxRows = 8;
  const rng = new Rng(3);
  const count = maxRows + 3;
  const data = { images: Uint8Array.from({ length: count * 784 }, () => rng.int(256)), labels: Uint8Array.from({ length: count }, () => rng.int(10)), count };
  const model = await definition.create(gpu, spec, definition.init(spec, 1));
  const split = uploadSplit(gpu.device, data, 784, 'train');
  const order = createBuffer(gpu.device, 'order', count * 4);
  const sources: KernelSource[] = [];
  const stop = watchKernels(gpu, (k) => sources.push(k));
  try {
    const step = await model.createStep({ train: split, order, maxRows, lr: 0.1, seed: 1, tuning, optimizer: plainSgd(0.1) });
    const forward = await model.createForward({ split, order, maxRows, tuning });
    step.destroy();
    forward.destroy();
  } finally {
    stop();
    model.destroy();
  }
  return sources;
}

const dense = (sources: KernelSource[]) => sources.filter((k) => k.shader.startsWith('linear'));

describe('StepContext.tuning: every model creates its kernels in the tiles it is given', () => {
  const CASES: Array<[string, ModelOptions]> = [
    ['scratch', { kernels: 'separate' }],
    ['concise', { kernels: 'separate' }],
    ['mlp-scratch', { hidden: [12], dropout: [0.5] }],
    ['mlp', { hidden: [12, 8], dropout: [0.5, 0] }],
    ['lenet', {}],
    ['bn-lenet', { resize: 28 }],
  ];
  for (const [kind, options] of CASES) {
    it(`${kind}: every dense kernel in the overridden tiles`, async () => {
      const gpu = await testGpu();
      const sources = await kernelsOf(kind, options, { ...tuningFor(gpu.adapterInfo), dense: DENSE });
      expect(dense(sources).length).toBeGreaterThan(0);
      for (const k of dense(sources)) {
        expect(k.shader, `${kind}: ${k.entryPoint}`).toBe('linear');
        const u8 = k.preludes.includes('prelude/linear_input_u8');
        expect(k.constants, `${kind}: linear.${k.entryPoint}${u8 ? ', u8' : ''}`).toMatchObject(u8 && k.entryPoint === 'weight_grad' ? DENSE_U8_WEIGHT_GRAD : DENSE_CONSTANTS[k.entryPoint]);
      }
    });
  }

  it('lenet and bn-lenet: the convolution blocks in the overridden conv tiles', async (ctx) => {
    const gpu = await testGpu();
    if (subgroupSize(gpu) === null) ctx.skip(); // no subgroup convolution blocks on this adapter: nothing to tile
    for (const [kind, options] of [['lenet', {}], ['bn-lenet', { resize: 28 }]] as Array<[string, ModelOptions]>) {
      const sources = await kernelsOf(kind, options, { ...tuningFor(gpu.adapterInfo), conv: CONV });
      const forwards = sources.filter((k) => k.shader === 'conv2d_forward_subgroup');
      const weightGrads = sources.filter((k) => k.shader === 'conv2d_weight_grad_subgroup');
      expect(forwards.length, kind).toBeGreaterThan(0);
      expect(weightGrads.length, kind).toBeGreaterThan(0);
      for (const k of forwards) expect(k.constants, `${kind}: conv2d_forward_subgroup, PAD ${k.constants.PAD}`).toMatchObject(k.constants.PAD === 0 || k.constants.POOLED === 1 ? { R: 2, PV: 1, CG: 1 } : { R: 1, PV: 1, CG: 1 });
      for (const k of weightGrads) expect(k.constants, `${kind}: ${k.entryPoint}`).toMatchObject({ CQ: 1, S: 8 });
    }
  });

  // The workgroup-memory shape's tile (MlpTiles.tiled) reaches every kernel of that shape a model creates: the dense
  // layers' and any convolution's as implicit GEMM (at convGemmMinFlop 0; where the adapter has subgroups, LeNet's
  // stride-1 convolutions take the subgroup blocks instead; test/kernels/conv2d_implicit_gemm.test.ts checks
  // createConvGemm's tile).
  it('mlp and bn-lenet in the workgroup-memory shape: every tiled kernel in the overridden tile', async () => {
    const gpu = await testGpu();
    const cases: Array<[string, ModelOptions]> = [['mlp', { hidden: [12], dropout: [0.5] }], ['bn-lenet', { resize: 28 }]];
    for (const [kind, options] of cases) {
      const sources = await kernelsOf(kind, options, { ...tuningFor(gpu.adapterInfo), dense: { ...DENSE, workgroupMemory: true }, convGemmMinFlop: 0 });
      const tiled = sources.filter((k) => k.entryPoint.endsWith('_tiled'));
      // Every dense kernel (forward, input and weight gradients) in the workgroup-memory shape.
      expect(new Set(dense(sources).map((k) => k.entryPoint)), kind).toEqual(new Set(['forward_tiled', 'input_grad_tiled', 'weight_grad_tiled']));
      for (const k of tiled) expect(k.constants, `${kind}: linear.${k.entryPoint}`).toMatchObject({ BM: 16, BN: 32, BK: 8, TM: 4, TN: 8 });
    }
  });

  for (const kind of ['scratch', 'concise']) {
    it(`${kind}: the fused kernels in the overridden shapes`, async () => {
      const gpu = await testGpu();
      const sources = await kernelsOf(kind, { kernels: 'fused' }, { ...tuningFor(gpu.adapterInfo), fused: FUSED });
      expect(sources.find((k) => k.shader === 'fused_forward_loss_grad')?.constants).toMatchObject({ WG: 24, ROWS: 3 });
      expect(sources.find((k) => k.shader === 'fused_weight_grad_sgd')?.constants).toMatchObject({ WG: 40 });
    });
  }
});
