/** CPU twin of shaders/sum_epoch_totals.wgsl. */
export function sumEpochTotals(sampleLoss: Float32Array, sampleHit: Uint32Array, samples: number): { lossSum: number; correct: number } {
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i < samples; i++) {
    lossSum += sampleLoss[i];
    correct += sampleHit[i];
  }
  return { lossSum, correct };
}
