import { windowOutput } from '../kernels/conv2d_general.js';
import { activate, type Alloc, f32, type Floats } from './conv2d_forward.js';

/** A convolution's shape: channels in and out, input height and width, square kernel size, stride, zero padding. */
export interface ConvGeneralDims {
  cIn: number;
  cOut: number;
  h: number;
  w: number;
  ks: number;
  stride: number;
  pad: number;
}

export const convGeneralOut = (d: ConvGeneralDims) => ({ ho: windowOutput(d.h, d.ks, d.stride, d.pad), wo: windowOutput(d.w, d.ks, d.stride, d.pad) });

/**
 * The channels a twin computes (default all): `out` output channels (the forward's y and the weight gradient's dw
 * are then exact in those), `in` input channels (the input gradient's dx). A check of a large convolution
 * (tools/bench/conv_problems.ts) compares those channels alone, at a fraction of the work.
 */
export interface ConvChannels {
  out?: readonly number[];
  in?: readonly number[];
}

const all = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * Calls visit(row, co, xIndex, tap, yIndex) for every (input element, weight, output element) product of the
 * convolution (padding taps skipped) between the channels `only` names: the one statement of which x meets which w
 * in y, shared by the three twins below. `tap` is the weight's index within output channel co's [cIn, ks, ks] block.
 */
function eachProduct(rows: number, d: ConvGeneralDims, visit: (r: number, co: number, xi: number, tap: number, yi: number) => void, only: ConvChannels = {}): void {
  const { ho, wo } = convGeneralOut(d);
  const outs = only.out ?? all(d.cOut);
  const ins = only.in ?? all(d.cIn);
  for (let r = 0; r < rows; r++) {
    for (const co of outs) {
      for (let oy = 0; oy < ho; oy++) {
        for (let ox = 0; ox < wo; ox++) {
          const yi = ((r * d.cOut + co) * ho + oy) * wo + ox;
          for (const ci of ins) {
            for (let ky = 0; ky < d.ks; ky++) {
              const iy = oy * d.stride + ky - d.pad;
              if (iy < 0 || iy >= d.h) continue;
              for (let kx = 0; kx < d.ks; kx++) {
                const ix = ox * d.stride + kx - d.pad;
                if (ix < 0 || ix >= d.w) continue;
                visit(r, co, ((r * d.cIn + ci) * d.h + iy) * d.w + ix, (ci * d.ks + ky) * d.ks + kx, yi);
              }
            }
          }
        }
      }
    }
  }
}

function copyTo(values: Float64Array, alloc: Alloc): Floats {
  const out = alloc(values.length);
  out.set(values);
  return out;
}

/** CPU twin of conv2d_general.wgsl's forward: y = act(conv2d(x, w) + bias), [rows, cOut, ho, wo], in f64 (exact in the output channels `only.out`). */
export function conv2dGeneralForward(x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number>, rows: number, d: ConvGeneralDims, act = 0, alloc: Alloc = f32, only: Pick<ConvChannels, 'out'> = {}): Floats {
  const { ho, wo } = convGeneralOut(d);
  const taps = d.cIn * d.ks * d.ks;
  const acc = new Float64Array(rows * d.cOut * ho * wo);
  eachProduct(rows, d, (_r, co, xi, tap, yi) => {
    acc[yi] += x[xi] * w[co * taps + tap];
  }, only);
  for (let i = 0; i < acc.length; i++) acc[i] = activate(acc[i] + bias[Math.floor(i / (ho * wo)) % d.cOut], act);
  return copyTo(acc, alloc);
}

/** CPU twin of conv2d_general.wgsl's input_grad: dx [rows, cIn, h, w] from dy [rows, cOut, ho, wo], in f64 (exact in the input channels `only.in`). */
export function conv2dGeneralInputGrad(dy: ArrayLike<number>, w: ArrayLike<number>, rows: number, d: ConvGeneralDims, alloc: Alloc = f32, only: Pick<ConvChannels, 'in'> = {}): Floats {
  const taps = d.cIn * d.ks * d.ks;
  const dx = new Float64Array(rows * d.cIn * d.h * d.w);
  eachProduct(rows, d, (_r, co, xi, tap, yi) => {
    dx[xi] += dy[yi] * w[co * taps + tap];
  }, only);
  return copyTo(dx, alloc);
}

/** CPU twin of conv2d_general.wgsl's weight_grad: dw [cOut, cIn, ks, ks] and db [cOut] summed over rows, in f64 (dw exact in the output channels `only.out`). */
export function conv2dGeneralWeightGrad(x: ArrayLike<number>, dy: ArrayLike<number>, rows: number, d: ConvGeneralDims, alloc: Alloc = f32, only: Pick<ConvChannels, 'out'> = {}): { dw: Floats; db: Floats } {
  const { ho, wo } = convGeneralOut(d);
  const taps = d.cIn * d.ks * d.ks;
  const dw = new Float64Array(d.cOut * taps);
  const db = new Float64Array(d.cOut);
  eachProduct(rows, d, (_r, co, xi, tap, yi) => {
    dw[co * taps + tap] += dy[yi] * x[xi];
  }, only);
  for (let i = 0; i < rows * d.cOut * ho * wo; i++) db[Math.floor(i / (ho * wo)) % d.cOut] += dy[i];
  return { dw: copyTo(dw, alloc), db: copyTo(db, alloc) };
}
