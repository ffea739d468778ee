/** `webgpu-softmax kernels`: the kernels a model runs, with their override values, and one kernel's WGSL as compiled. */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { runCli } from './run.js';

const V1_CHECKPOINT = fileURLToPath(new URL('../fixtures/checkpoint-v1-concise.safetensors', import.meta.url));

describe('kernels', () => {
  it("lists the MLP's step, optimizer and evaluation kernels with their shapes", async () => {
    const r = await runCli(['kernels', '--model', 'mlp', '--batch-size', '32', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const list = JSON.parse(r.stdout) as Array<{ shader: string; entryPoint: string; constants: Record<string, number> }>;
    const named = (shader: string) => list.filter((k) => k.shader.startsWith(shader));
    // 784-256-10: the first layer reads the u8 images, the second the hidden layer; SGD updates all four tensors.
    // (training's and evaluation's first layer differ in their dropout and label constants, so there may be two)
    // The dense layers are the contraction template's forward (shaders/linear.wgsl or its subgroup shape).
    const dense = named('linear').filter((k) => k.entryPoint === 'forward');
    const first = dense.filter((k) => k.constants.K === 784);
    expect(first.length).toBeGreaterThan(0);
    expect(first.every((k) => k.constants.N === 256)).toBe(true);
    expect(dense.some((k) => k.constants.K === 256 && k.constants.N === 10)).toBe(true);
    // SGD is the optimizer file's sgd_update entry point (shaders/optimizer.wgsl).
    const sgd = named('optimizer').filter((k) => k.entryPoint === 'sgd_update');
    expect(sgd.map((k) => k.constants.COUNT).sort((a, b) => a - b)).toEqual([10, 256, 2560, 200704]);
    expect(named('log_softmax_cross_entropy').length).toBeGreaterThan(0);
  });

  it("prints one kernel's WGSL with the override values it is compiled with", async () => {
    const r = await runCli(['kernels', '--model', 'mlp', '--batch-size', '32', '--show', 'bias_grad']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\/\/ bias_grad as compiled for model mlp/m);
    expect(r.stdout).toMatch(/^\/\/ override values: .*N=(256|10)/m);
    expect(r.stdout).toContain('struct Step'); // the Step prelude, as the device receives it
    expect(r.stdout).toContain('@compute');
  });

  it("reads a checkpoint's model, and refuses an unknown kernel or model in one line", async () => {
    const ok = await runCli(['kernels', '--model', V1_CHECKPOINT, '--batch-size', '16']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^model concise.*: \d+ kernels$/m);
    const unknown = await runCli(['kernels', '--model', 'mlp', '--batch-size', '8', '--show', 'no_such_kernel']);
    expect(unknown.code, unknown.stderr).toBe(2);
    expect(unknown.stderr.trim().split('\n').filter((l) => !l.startsWith('Warning')).pop()).toMatch(/^error: --show: model mlp runs no kernel "no_such_kernel" \(it runs .*linear/);
    const bad = await runCli(['kernels', '--model', 'nope']);
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr).toMatch(/--model must be a model kind \(scratch, .*\) or a checkpoint, not "nope"/);
  });
});
