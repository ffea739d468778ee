/**
 * `node dist/tools/bench/lavapipe_costs.js [--only NAME,...]`: what one operation costs a subgroup on the local
 * adapter, the numbers behind the dense and convolution kernels' designs (docs/benchmark-history.md, "what a load costs").
 * Each case runs a loop of 1,024 iterations in 64 workgroups of 64 invocations; an iteration does the case's
 * operation 4 times, independently (throughput, not latency), and the loop's own cost (the `loop` case) is
 * subtracted. Reported per subgroup (8 lanes on lavapipe) and per operation, in wall and CPU nanoseconds (CPU
 * time is the driver's threads, ours on lavapipe: steadier than wall time when the machine is shared).
 */
import { parseArgs } from 'node:util';
import { createNodeGpu } from '../../src/gpu/node.js';

const ITERATIONS = 1024;
const WORKGROUPS = 64;
const OPS_PER_ITERATION = 4;

// Each body adds 4 independent results into acc; `o` is a per-lane offset that changes every iteration.
const CASES: Record<string, string> = {
  loop: 'acc += vec4f(f32(o));',
  'storage load f32, per-lane address': 'acc.x += a[o & 65535u] + a[(o + 4096u) & 65535u] + a[(o + 8192u) & 65535u] + a[(o + 12288u) & 65535u];',
  'storage load vec4f, per-lane address': 'acc += a4[o & 16383u] + a4[(o + 1024u) & 16383u] + a4[(o + 2048u) & 16383u] + a4[(o + 3072u) & 16383u];',
  'storage load vec4f, same address': 'acc += a4[i & 16383u] + a4[(i + 1024u) & 16383u] + a4[(i + 2048u) & 16383u] + a4[(i + 3072u) & 16383u];',
  'workgroup load vec4f, per-lane address': 'acc += s[o & 1023u] + s[(o + 256u) & 1023u] + s[(o + 512u) & 1023u] + s[(o + 768u) & 1023u];',
  'textureLoad rgba32float, per-lane texel': 'acc += textureLoad(tex, vec2u(i & 255u, lid), 0) + textureLoad(tex, vec2u(i & 255u, (lid + 1u) & 63u), 0) + textureLoad(tex, vec2u(i & 255u, (lid + 2u) & 63u), 0) + textureLoad(tex, vec2u(i & 255u, (lid + 3u) & 63u), 0);',
  'subgroupShuffle vec4f, constant lane': 'acc += subgroupShuffle(x, 1u) + subgroupShuffle(x, 3u) + subgroupShuffle(x, 5u) + subgroupShuffle(x, 7u);',
  'subgroupShuffle vec4f, varying lane': 'acc += subgroupShuffle(x, i & 7u) + subgroupShuffle(x, (i + 1u) & 7u) + subgroupShuffle(x, (i + 2u) & 7u) + subgroupShuffle(x, (i + 3u) & 7u);',
  'vec4f multiply-add (4 lanes of FMA)': 'let v = vec4f(f32(o)); acc = acc * v + x; acc2 = acc2 * v + x; acc3 = acc3 * v + x; acc4 = acc4 * v + x;',
};

const shader = (body: string) => `enable subgroups;
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> a4: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4f>;
@group(0) @binding(3) var tex: texture_2d<f32>;
var<workgroup> s: array<vec4f, 1024>;
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(global_invocation_id) gid: vec3u) {
  for (var t = lid; t < 1024u; t += 64u) { s[t] = a4[t]; }
  workgroupBarrier();
  var acc = vec4f(0.0); var acc2 = vec4f(0.0); var acc3 = vec4f(0.0); var acc4 = vec4f(0.0);
  let x = a4[lid];
  for (var i = 0u; i < ${ITERATIONS}u; i++) {
    let o = i * 64u + lid;
    ${body}
  }
  out[gid.x] = acc + acc2 + acc3 + acc4 + vec4f(f32(textureDimensions(tex).x));
}`;

async function main() {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  const gpu = await createNodeGpu();
  const { device } = gpu;
  const sgSize = (gpu.adapter.info as { subgroupMinSize?: number }).subgroupMinSize ?? 8;
  const a = device.createBuffer({ size: 65536 * 16, usage: GPUBufferUsage.STORAGE });
  const out = device.createBuffer({ size: WORKGROUPS * 64 * 16, usage: GPUBufferUsage.STORAGE });
  const tex = device.createTexture({ size: [256, 64], format: 'rgba32float', usage: GPUTextureUsage.TEXTURE_BINDING });
  const layout = device.createBindGroupLayout({
    entries: [
      { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
      { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
      { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
      { binding: 3, visibility: GPUShaderStage.COMPUTE, texture: { sampleType: 'unfilterable-float' } },
    ],
  });
  const group = device.createBindGroup({
    layout,
    entries: [{ binding: 0, resource: { buffer: a, size: 65536 * 4 } }, { binding: 1, resource: { buffer: a } }, { binding: 2, resource: { buffer: out } }, { binding: 3, resource: tex.createView() }],
  });
  const subgroupIterations = ((WORKGROUPS * 64) / sgSize) * ITERATIONS;
  const time = async (body: string) => {
    const pipeline = device.createComputePipeline({ layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module: device.createShaderModule({ code: shader(body) }), entryPoint: 'main' } });
    const run = async (reps: number) => {
      const encoder = device.createCommandEncoder();
      for (let r = 0; r < reps; r++) {
        const pass = encoder.beginComputePass();
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, group);
        pass.dispatchWorkgroups(WORKGROUPS);
        pass.end();
      }
      const t = performance.now();
      const cpu = process.cpuUsage();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
      const used = process.cpuUsage(cpu);
      return { wall: (performance.now() - t) / reps, cpu: (used.user + used.system) / 1000 / reps };
    };
    await run(1);
    let wall = Infinity;
    let cpu = Infinity;
    for (let i = 0; i < 3; i++) {
      const r = await run(3);
      wall = Math.min(wall, r.wall);
      cpu = Math.min(cpu, r.cpu);
    }
    return { wall: (wall * 1e6) / subgroupIterations, cpu: (cpu * 1e6) / subgroupIterations };
  };
  console.log(`${gpu.adapterInfo.description}, subgroups of ${sgSize}; ns per subgroup and operation (the loop's cost subtracted)`);
  const loop = await time(CASES.loop);
  console.log(`${'loop iteration (subtracted below)'.padEnd(44)} wall ${loop.wall.toFixed(2).padStart(7)}  cpu ${loop.cpu.toFixed(2).padStart(7)}`);
  const only = values.only?.split(',');
  for (const [name, body] of Object.entries(CASES)) {
    if (name === 'loop' || (only && !only.some((o) => name.includes(o)))) continue;
    const t = await time(body);
    const per = (v: number, base: number) => Math.max(0, (v - base) / OPS_PER_ITERATION).toFixed(2).padStart(7);
    console.log(`${name.padEnd(44)} wall ${per(t.wall, loop.wall)}  cpu ${per(t.cpu, loop.cpu)}`);
  }
  device.destroy();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
