import { describe, expect, it } from 'vitest';
import { conv2dWeightPack as kernel, forwardPack, inputGradPack, packedBytes } from '../../src/kernels/conv2d_weight_pack.js';
import { conv2dWeightPack } from '../../src/reference/conv2d_weight_pack.js';
import { Rng } from '../../src/random.js';
import { randomFloats, readFloats, runPass, testGpu, upload } from './harness.js';

// A pure copy: exact. Both packings of LeNet's two layers and of channel counts that are no multiple of 4.
describe('conv2d_weight_pack: [OUTER, A, T] -> [OUTER, T, A padded to 4]', () => {
  for (const conv of [{ C_IN: 1, C_OUT: 6, KS: 5 }, { C_IN: 6, C_OUT: 16, KS: 5 }, { C_IN: 3, C_OUT: 1, KS: 3 }, { C_IN: 16, C_OUT: 6, KS: 1 }]) {
    for (const [which, shape, flip] of [['forward', forwardPack(conv), false], ['input grad', inputGradPack(conv), false], ['input grad, flipped', inputGradPack(conv), true]] as const) {
      it(`${which}, ${conv.C_IN} -> ${conv.C_OUT}, k${conv.KS}`, async () => {
        const gpu = await testGpu();
        const w = randomFloats(new Rng(conv.C_IN * 31 + conv.C_OUT), shape.OUTER * shape.A * shape.T);
        const k = await kernel.create(gpu, shape, { constants: { FLIP: flip ? 1 : 0 } });
        const packed = upload(gpu, new Float32Array(packedBytes(shape) / 4).fill(7));
        const group = k.bind({ w: upload(gpu, w), packed });
        await runPass(gpu, (pass) => k.encode(pass, group));
        expect(Array.from(await readFloats(gpu, packed, packedBytes(shape) / 4))).toEqual(Array.from(conv2dWeightPack(w, shape.OUTER, shape.A, shape.T, flip)));
      });
    }
  }
});
