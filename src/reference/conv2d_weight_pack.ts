/**
 * CPU twin of shaders/conv2d_weight_pack.wgsl: w [outer, a, t] -> [outer, t, 4·ceil(a/4)], zero-padded; with
 * flip, tap k goes to t - 1 - k (a KS x KS kernel rotated by 180 degrees, for the subgroup input gradient).
 */
export function conv2dWeightPack(w: ArrayLike<number>, outer: number, a: number, t: number, flip = false): Float32Array {
  const a4 = Math.ceil(a / 4) * 4;
  const packed = new Float32Array(outer * t * a4);
  for (let o = 0; o < outer; o++) for (let j = 0; j < a; j++) for (let k = 0; k < t; k++) packed[(o * t + (flip ? t - 1 - k : k)) * a4 + j] = w[(o * a + j) * t + k];
  return packed;
}
