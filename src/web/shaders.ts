/**
 * The WGSL sources for the page, bundled from the same shaders/ files the CLI reads from disk: the bundler
 * inlines each file as a string, so the page never fetches or copies a kernel.
 */
import type { ShaderSource } from '../gpu/device.js';
import { GpuError } from '../errors.js';

const files = import.meta.glob<string>('../../shaders/**/*.wgsl', { query: '?raw', import: 'default', eager: true });

// Named as the loader asks for them: the path under shaders/ without .wgsl ('softmax', 'prelude/step').
const byName = new Map(Object.entries(files).map(([path, code]) => [path.replace(/^.*\/shaders\/(.+)\.wgsl$/, '$1'), code]));

export const bundledShaders: ShaderSource = (name) => {
  const code = byName.get(name);
  if (code === undefined) throw new GpuError(`shaders/${name}.wgsl is not in the page bundle (have ${[...byName.keys()].join(', ')})`);
  return code;
};

