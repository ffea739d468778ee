import { describeAdapter } from '../gpu/device.js';
import { createNodeGpu } from '../gpu/node.js';
import { parseFlags } from './args.js';
import { Output } from './output.js';

export const infoSpec = {
  usage: 'webgpu-softmax info [flags]',
  summary: 'Print the WebGPU adapter that training would use, its features and its limits.',
  flags: { json: { type: 'boolean' as const, help: 'print one JSON object on stdout' } },
};

export async function infoCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(infoSpec, argv, console.log);
  if (!flags) return 0;
  const out = new Output(flags.json);
  const gpu = await createNodeGpu();
  try {
    const limits: Record<string, number> = {};
    // GPUSupportedLimits exposes its values as prototype getters, so walk the prototype for the names.
    for (const key of Object.keys(Object.getPrototypeOf(gpu.adapter.limits) as object)) {
      const value = (gpu.adapter.limits as unknown as Record<string, unknown>)[key];
      if (typeof value === 'number') limits[key] = value;
    }
    const features = [...gpu.adapter.features].sort();
    out.line(`adapter: ${describeAdapter(gpu.adapterInfo)}`);
    out.line(`vulkan driver override: ${process.env.VK_ICD_FILENAMES ?? '(none)'}`);
    out.line(`features: ${features.join(', ')}`);
    out.line('limits:');
    for (const [k, v] of Object.entries(limits).sort()) out.line(`  ${k.padEnd(44)} ${v}`);
    out.result({ adapter: gpu.adapterInfo, features, limits });
    return 0;
  } finally {
    gpu.device.destroy();
  }
}
