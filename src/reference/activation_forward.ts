import { activate, type Alloc, f32, type Floats } from './conv2d_forward.js';

/** CPU twin of shaders/activation_forward.wgsl: act(x) element-wise (1 sigmoid, 2 ReLU), as a new array. */
export function activationForward(x: ArrayLike<number>, act: number, alloc: Alloc = f32): Floats {
  const y = alloc(x.length);
  for (let i = 0; i < x.length; i++) y[i] = activate(x[i], act);
  return y;
}
