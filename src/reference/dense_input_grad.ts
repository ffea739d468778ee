import { activationSlope, type Alloc, f32, type Floats } from './conv2d_forward.js';

/** CPU twin of shaders/dense_input_grad.wgsl: dx = (dy · Wᵀ) ⊙ act'(x), W: [k, n], accumulated in f64. */
export function denseInputGrad(dy: ArrayLike<number>, w: ArrayLike<number>, x: ArrayLike<number>, rows: number, k: number, n: number, act: number, alloc: Alloc = f32): Floats {
  const dx = alloc(rows * k); // [rows, k]
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < k; i++) {
      let acc = 0;
      for (let j = 0; j < n; j++) acc += dy[r * n + j] * w[i * n + j];
      dx[r * k + i] = acc * activationSlope(x[r * k + i], act);
    }
  }
  return dx;
}
