/** Buffer helpers: creation with labels, sizes padded to 16 bytes, and one-shot readback. */

export const STORAGE = 0x80; // GPUBufferUsage.STORAGE, spelled out so this module loads before globals exist
export const COPY_SRC = 0x04;
export const COPY_DST = 0x08;
export const UNIFORM = 0x40;
export const MAP_READ = 0x01;

/**
 * Every buffer's size is rounded up to a whole vec4 (16 bytes), its tail zeros, so that element-wise kernels can
 * read and write any tensor as array<vec4f> (optimizer.wgsl's sgd_update: on lavapipe a load costs the same whatever its
 * width). Readers pass the element count they want; `size` is the padded one.
 */
export const paddedSize = (bytes: number): number => Math.max(16, Math.ceil(bytes / 16) * 16);

export function createBuffer(device: GPUDevice, label: string, size: number, usage = STORAGE | COPY_SRC | COPY_DST): GPUBuffer {
  return device.createBuffer({ label, size: paddedSize(size), usage });
}

/** A buffer holding `data`, zero-padded to a whole vec4 (paddedSize). */
export function createBufferWith(
  device: GPUDevice,
  label: string,
  data: ArrayBufferView,
  usage = STORAGE | COPY_SRC | COPY_DST,
): GPUBuffer {
  const buffer = device.createBuffer({ label, size: paddedSize(data.byteLength), usage, mappedAtCreation: true });
  new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  buffer.unmap();
  return buffer;
}

/** Copies `size` bytes of `source` back to the CPU. One round trip: use at epoch ends, never per step. */
export async function readBuffer(device: GPUDevice, source: GPUBuffer, size = source.size, offset = 0): Promise<ArrayBuffer> {
  const staging = device.createBuffer({ label: `${source.label} readback`, size, usage: MAP_READ | COPY_DST });
  const encoder = device.createCommandEncoder({ label: 'readback' });
  encoder.copyBufferToBuffer(source, offset, staging, 0, size);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(0x0001 /* GPUMapMode.READ */);
  const copy = staging.getMappedRange().slice(0);
  staging.unmap();
  staging.destroy();
  return copy;
}

export async function readF32(device: GPUDevice, source: GPUBuffer, count: number): Promise<Float32Array> {
  return new Float32Array(await readBuffer(device, source, count * 4));
}

export async function readU32(device: GPUDevice, source: GPUBuffer, count: number): Promise<Uint32Array> {
  return new Uint32Array(await readBuffer(device, source, count * 4));
}
