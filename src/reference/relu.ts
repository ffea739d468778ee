/** CPU twin of the relu kernel (shaders/activation.wgsl forward, ACT 2): max(x, 0) element-wise. */
export function relu(x: Float32Array): Float32Array {
  return x.map((v) => Math.max(v, 0));
}
