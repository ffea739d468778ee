/** CPU twin of add.wgsl's sum: a + b element-wise. */
export const add = (a: ArrayLike<number>, b: ArrayLike<number>): Float64Array => Float64Array.from(a, (v, i) => v + b[i]);

/** CPU twin of add.wgsl's accumulate: out += b element-wise. */
export function addInto(out: Float64Array | Float32Array, b: ArrayLike<number>): void {
  for (let i = 0; i < out.length; i++) out[i] += b[i];
}
