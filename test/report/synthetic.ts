/**
 * Deterministic fake Fashion-MNIST images for the report tests: no dataset needed, and every pixel is
 * a known function of (label, index, seed), so "the tile equals the source" checks mean something
 * (many distinct grey levels, never a flat image).
 */
const SIDE = 28;

/** One 28x28 image: a box whose shape depends on the label, filled with a varied grey pattern. */
export function syntheticImage(label: number, index: number, seed = 0): Uint8Array {
  const image = new Uint8Array(SIDE * SIDE);
  const halfWidth = 3 + label;
  const halfHeight = 12 - label;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const inside = Math.abs(x - 13.5) < halfWidth && Math.abs(y - 13.5) < halfHeight;
      image[y * SIDE + x] = inside ? 60 + ((x * 7 + y * 11 + index * 29 + seed * 3) % 196) : (x + y + index) % 9 === 0 ? 25 : 0;
    }
  }
  return image;
}

/** The images of `labels`, one after another ([N, 784]). */
export function syntheticImages(labels: ArrayLike<number>, seed = 0): Uint8Array {
  const all = new Uint8Array(labels.length * SIDE * SIDE);
  for (let i = 0; i < labels.length; i++) all.set(syntheticImage(labels[i], i, seed), i * SIDE * SIDE);
  return all;
}
