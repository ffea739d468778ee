import { describe, expect, it } from 'vitest';
import { adamUpdate as adamKernel, createAdamUniform, createSgdUniform, optimizerStepCount as counterKernel, sgdMomentum as momentumKernel, sgdUpdate as sgdKernel, sgdWeightDecay as decayKernel } from '../../src/kernels/optimizer.js';
import { adamUpdate, optimizerStepCount, sgdMomentum, sgdUpdate, sgdWeightDecay } from '../../src/reference/optimizer.js';
import { Rng } from '../../src/random.js';
import { expectClose, inPage, randomFloats, readFloats, runPass, testGpu, upload, zeros } from './harness.js';

// shaders/optimizer.wgsl's entry points against their twins (src/reference/optimizer.ts).

const STEPS = 4;

// Tolerance: p - lr * g may be fused into one FMA on the GPU and not on the CPU, so the rounding of lr * g
// differs: 1 ulp of lr * g (|lr * g| < 0.03 here, ulp <= 1.9e-9) plus 1 ulp of the result.
describe('sgd_update: param -= lr * grad', () => {
  for (const count of [1, 10, 7840, 7841]) {
    it(`${count} parameters`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(count);
      const param = randomFloats(rng, count, 0.01);
      const grad = randomFloats(rng, count, 0.05);
      const lr = 0.1;
      const kernel = await sgdKernel.create(gpu, { COUNT: count });
      const p = upload(gpu, param);
      const group = kernel.bind({ sgd: createSgdUniform(gpu.device, 'sgd', lr), param: p, grad: upload(gpu, grad) });
      await runPass(gpu, (pass) => kernel.encode(pass, group));
      const want = param.slice();
      sgdUpdate(want, grad, lr);
      // The kernel works a vec4 at a time over the buffer's zero padding (gpu/buffers.ts), which must stay zero.
      const all = await readFloats(gpu, p, p.size / 4);
      expectClose(all.subarray(0, count), want, { abs: 2e-9, rel: 2 ** -23 }, 'param');
      expect([...all.subarray(count)]).toEqual(new Array(p.size / 4 - count).fill(0));
    });
  }
});

// Tolerance: the GPU may fuse p - lr * (g + wd * p) into FMAs where the CPU twin rounds each product: a few ulp
// of lr * g (|lr * g| < 0.03, ulp <= 1.9e-9) plus 1 ulp of the result.
describe('sgd_weight_decay: param -= lr * (grad + wd * param)', () => {
  for (const count of [1, 10, 200704, 200705]) for (const wd of inPage([0, 0.01, 3], [0.01])) {
    it(`${count} parameters, weight decay ${wd}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(count + wd * 100);
      const param = randomFloats(rng, count, 0.01);
      const grad = randomFloats(rng, count, 0.05);
      const lr = 0.1;
      const kernel = await decayKernel.create(gpu, { COUNT: count });
      const p = upload(gpu, param);
      const group = kernel.bind({ sgd: createSgdUniform(gpu.device, 'sgd', lr, wd), param: p, grad: upload(gpu, grad) });
      await runPass(gpu, (pass) => kernel.encode(pass, group));
      const want = param.slice();
      sgdWeightDecay(want, grad, lr, wd);
      // The kernel works a vec4 at a time over the buffer's zero padding (gpu/buffers.ts), which must stay zero.
      const all = await readFloats(gpu, p, p.size / 4);
      expectClose(all.subarray(0, count), want, { abs: 6e-9, rel: 2 ** -22 }, 'param');
      expect([...all.subarray(count)]).toEqual(new Array(p.size / 4 - count).fill(0));
    });
  }
});


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
      const group = kernel.bind({ sgd: createSgdUniform(gpu.device, 'sgd', lr, wd, momentum), param: p, grad: g, momentum_buffer: buf });
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


// Several steps, each with a new gradient, the step count advanced on the GPU before each update (as the optimizer
// records them). Tolerance: the moments, in ulp of their terms rather than of the result, which may cancel to far
// less (|g| < 0.2 + wd * 2: |grad| < 0.2, |param| < 2); the parameter: the GPU's pow(beta, t) is exp2(t *
// log2(beta)) in f32, a few ulp of beta^t, which 1 - beta2^t (0.001 at t = 1) turns into ~1e-4 of the bias
// correction: of each step's change (Adam's are at most ~lr = 1e-3 per element) that is ~1e-7, plus f32 rounding.
// A missing bias correction, eps, weight decay or moment term moves parameters by ~1e-5 or more.
describe('adam_update: torch.optim.Adam steps with the bias corrections of the GPU step count', () => {
  const cases = inPage(
    [
      { count: 1, wd: 0, eps: 1e-8, betas: [0.9, 0.999] as [number, number] },
      { count: 7, wd: 0.01, eps: 1e-8, betas: [0.9, 0.999] as [number, number] },
      { count: 4099, wd: 0, eps: 0.1, betas: [0.8, 0.99] as [number, number] },
      { count: 200_705, wd: 0.5, eps: 1e-8, betas: [0.9, 0.999] as [number, number] },
      // 65,537 workgroups of one invocation: past one grid dimension's 65,535, which 64 per workgroup reach at
      // 16.8M elements (a 4096 x 4096 weight: 65,536)
      { count: 4 * 65_537, wd: 0.01, eps: 1e-8, betas: [0.9, 0.999] as [number, number], workgroup: 1 },
    ],
    [{ count: 4099, wd: 0.01, eps: 1e-8, betas: [0.9, 0.999] as [number, number] }],
  );
  for (const { count, wd, eps, betas, workgroup = 64 } of cases as Array<(typeof cases)[number] & { workgroup?: number }>) {
    it(`${count} parameters, weight decay ${wd}, eps ${eps}, betas ${betas.join('/')}, ${STEPS} steps${workgroup === 64 ? '' : `, ${workgroup} per workgroup`}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(count);
      const h = { lr: 1e-3, betas, eps, weightDecay: wd };
      const param = randomFloats(rng, count, 0.5);
      const p = upload(gpu, param);
      const m = zeros(gpu, count, 'exp_avg');
      const v = zeros(gpu, count, 'exp_avg_sq');
      const t = zeros(gpu, 1, 'step_count');
      const grads = zeros(gpu, count, 'grad');
      const [kernel, counter] = await Promise.all([adamKernel.create(gpu, { COUNT: count }, { workgroup }), counterKernel.create(gpu, {})]);
      const group = kernel.bind({ adam: createAdamUniform(gpu.device, 'adam', h), param: p, grad: grads, exp_avg: m, exp_avg_sq: v, step_count: t });
      const counterGroup = counter.bind({ step_count: t });
      const want = { param: Float64Array.from(param), m: new Float64Array(count), v: new Float64Array(count) };
      for (let step = 1; step <= STEPS; step++) {
        const grad = randomFloats(rng, count, 0.05);
        gpu.device.queue.writeBuffer(grads, 0, new Float32Array(grad)); // a copy typed over an ArrayBuffer, as writeBuffer wants
        await runPass(gpu, (pass) => {
          counter.encode(pass, counterGroup);
          kernel.encode(pass, group);
        });
        adamUpdate(want.param, grad, want.m, want.v, step, h);
      }
      expect([...(await readFloats(gpu, t, 1))]).toEqual([STEPS]);
      const g = 0.2 + wd * 2;
      expectClose(await readFloats(gpu, m, count), want.m, { abs: g * 2 ** -22, rel: 2 ** -21 }, 'exp_avg');
      expectClose(await readFloats(gpu, v, count), want.v, { abs: g * g * 2 ** -22, rel: 2 ** -21 }, 'exp_avg_sq');
      // The kernel works a vec4 at a time over the buffer's zero padding (gpu/buffers.ts), which must stay zero.
      const all = await readFloats(gpu, p, p.size / 4);
      expectClose(all.subarray(0, count), want.param, { abs: STEPS * 2e-7, rel: 2 ** -22 }, 'param');
      expect([...all.subarray(count)]).toEqual(new Array(p.size / 4 - count).fill(0));
    });
  }
});

describe('adam_step_count: t += 1 on the GPU', () => {
  it('counts steps recorded in one pass and across submits, from a restored count', async () => {
    const gpu = await testGpu();
    const kernel = await counterKernel.create(gpu, {});
    const t = upload(gpu, Float32Array.of(41)); // a resumed run's count
    const group = kernel.bind({ step_count: t });
    let want = 41;
    for (const steps of [1, 3]) {
      await runPass(gpu, (pass) => {
        for (let i = 0; i < steps; i++) kernel.encode(pass, group);
      });
      for (let i = 0; i < steps; i++) want = optimizerStepCount(want);
    }
    expect([...(await readFloats(gpu, t, 1))]).toEqual([want]);
    expect(want).toBe(45);
  });
});
