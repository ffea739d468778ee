/** CPU twin of shaders/argmax_accuracy.wgsl: first index of the row maximum, and how many equal y. */
export function argmaxAccuracy(
  logits: Float32Array,
  y: ArrayLike<number>,
  rows: number,
  classes: number,
): { predictions: Uint32Array; correct: number } {
  const predictions = new Uint32Array(rows);
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let n = 1; n < classes; n++) if (logits[r * classes + n] > logits[r * classes + best]) best = n;
    predictions[r] = best;
    if (best === y[r]) correct++;
  }
  return { predictions, correct };
}
