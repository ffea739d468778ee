import { activate, activationSlope } from './conv2d_forward.js';

/** CPU twin of activation.wgsl's forward: act(x) element-wise (ACT codes: 1 sigmoid, 2 ReLU). */
export const activationForward = (x: ArrayLike<number>, act: number): Float64Array => Float64Array.from(x, (v) => activate(v, act));

/** CPU twin of activation.wgsl's backward: dy · act'(.) from the forward's output y. */
export const activationBackward = (y: ArrayLike<number>, dy: ArrayLike<number>, act: number): Float64Array => Float64Array.from(y, (v, i) => dy[i] * activationSlope(v, act));
