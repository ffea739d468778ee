/**
 * Seeded pseudo-random numbers shared by the GPU trainer and the CPU reference, so both start from the
 * same weights and visit minibatches in the same order for a given seed.
 * Generator: mulberry32 (32-bit state, good enough for init and shuffling, trivially portable).
 */
export class Rng {
  private state: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    // Mix the seed so that 0, 1, 2... give unrelated streams.
    this.state = (Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ 0xc2b2ae35) >>> 0;
  }

  /** Uniform u32. */
  nextU32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n) without modulo bias. */
  int(n: number): number {
    if (!(n > 0 && n <= 4294967296)) throw new RangeError(`Rng.int: n must be in (0, 2^32], got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    let x: number;
    do x = this.nextU32();
    while (x >= limit);
    return x % n;
  }

  /** Standard normal (Box-Muller, both values used). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** Fills a Float32Array with N(mean, std^2). */
  fillNormal(out: Float32Array, mean: number, std: number): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** A random permutation of 0..n-1 (Fisher-Yates), as u32 so it can be uploaded as-is. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}

/** Seed of the shuffle of a given epoch: independent of how many numbers init drew, so --resume reproduces it. */
export function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(seed >>> 0, 0x01000193) ^ Math.imul(epoch + 1, 0x27d4eb2f)) >>> 0;
}
