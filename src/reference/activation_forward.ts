import { activate, type Alloc, f32, type Floats } from './conv2d_forward.js';

/** act(x) element-wise (1 sigmoid, 2 ReLU), as a new array: the activation the GPU fuses into the kernel before it (linear's forward and conv2d_forward: ACT). */
export function activationForward(x: ArrayLike<number>, act: number, alloc: Alloc = f32): Floats {
  const y = alloc(x.length);
  for (let i = 0; i < x.length; i++) y[i] = activate(x[i], act);
  return y;
}
