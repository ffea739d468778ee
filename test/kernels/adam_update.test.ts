import { describe, expect, it } from 'vitest';
import { adamUpdate as adamKernel, createAdamUniform } from '../../src/kernels/adam_update.js';
import { optimizerStepCount } from '../../src/kernels/optimizer_step_count.js';
import { adamUpdate } from '../../src/reference/adam_update.js';
import { Rng } from '../../src/random.js';
import { expectClose, inPage, randomFloats, readFloats, runPass, testGpu, upload, zeros } from './harness.js';

const STEPS = 4;

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
      const [kernel, counter] = await Promise.all([adamKernel.create(gpu, { COUNT: count }, { workgroup }), optimizerStepCount.create(gpu, {})]);
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
