import { describe, expect, it } from 'vitest';
import { createSgdMomentumUniform, sgdMomentum as momentumKernel } from '../../src/kernels/sgd_momentum.js';
import { sgdMomentum } from '../../src/reference/sgd_momentum.js';
import { Rng } from '../../src/random.js';
import { expectClose, inPage, randomFloats, readFloats, runPass, testGpu, upload, zeros } from './harness.js';

const STEPS = 4;

// Several steps, each with a new gradient, from a zero momentum buffer (PyTorch's first step: buf = d). Tolerance:
// f32 rounding (and the GPU's fused multiply-adds) against the f64 twin, in ulp of the terms summed rather than of
// the result, which may cancel to far less: |grad| < 0.2 and |wd * param| < wd * 0.04 per step, so about one ulp
// of STEPS times their sum for the buffer, lr times that for the parameter, plus a few ulp of each result.
describe('sgd_momentum: buf = momentum * buf + (grad + wd * param), param -= lr * buf', () => {
  const cases = inPage(
    [
      { count: 1, momentum: 0.9, wd: 0 },
      { count: 10, momentum: 0.5, wd: 0.01 },
      { count: 7841, momentum: 0.9, wd: 0 },
      { count: 200_705, momentum: 0.99, wd: 3 },
      // 65,537 workgroups of one invocation: past one grid dimension's 65,535, which 64 per workgroup reach at
      // 16.8M elements (a 4096 x 4096 weight: 65,536)
      { count: 4 * 65_537, momentum: 0.9, wd: 0.01, workgroup: 1 },
    ],
    [{ count: 7841, momentum: 0.9, wd: 0.01 }],
  );
  for (const { count, momentum, wd, workgroup = 64 } of cases as Array<(typeof cases)[number] & { workgroup?: number }>) {
    it(`${count} parameters, momentum ${momentum}, weight decay ${wd}, ${STEPS} steps${workgroup === 64 ? '' : `, ${workgroup} per workgroup`}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(count + momentum * 100);
      const lr = 0.1;
      const param = randomFloats(rng, count, 0.01);
      const p = upload(gpu, param);
      const buf = zeros(gpu, count, 'momentum_buffer');
      const g = zeros(gpu, count, 'grad');
      const kernel = await momentumKernel.create(gpu, { COUNT: count }, { workgroup });
      const group = kernel.bind({ sgd: createSgdMomentumUniform(gpu.device, 'sgd', lr, wd, momentum), param: p, grad: g, momentum_buffer: buf });
      const want = { param: Float64Array.from(param), buf: new Float64Array(count) };
      for (let step = 0; step < STEPS; step++) {
        const grad = randomFloats(rng, count, 0.05);
        gpu.device.queue.writeBuffer(g, 0, new Float32Array(grad)); // a copy typed over an ArrayBuffer, as writeBuffer wants
        await runPass(gpu, (pass) => kernel.encode(pass, group));
        sgdMomentum(want.param, grad, want.buf, lr, momentum, wd);
      }
      const terms = STEPS * (0.2 + wd * 0.04);
      expectClose(await readFloats(gpu, buf, count), want.buf, { abs: terms * 2 ** -23, rel: 2 ** -21 }, 'momentum_buffer');
      // The kernel works a vec4 at a time over the buffer's zero padding (gpu/buffers.ts), which must stay zero.
      const all = await readFloats(gpu, p, p.size / 4);
      expectClose(all.subarray(0, count), want.param, { abs: lr * terms * 2 ** -23, rel: 2 ** -21 }, 'param');
      expect([...all.subarray(count)]).toEqual(new Array(p.size / 4 - count).fill(0));
    });
  }
});
