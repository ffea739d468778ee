// Dropout's keep-or-drop decision for one element of a step's activations (d2l 4.6), from a counter-based
// hash of (layer stream, epoch, step index, element): nothing is stored, so the backward pass recomputes the
// same mask, and the CPU twin (src/reference/dropout_mask.ts) reproduces it bit for bit.
// Needs the Step uniform (prelude/step.wgsl) before it. The three overrides are computed by
// src/kernels/dropout_mask.ts from the probability p and the run's seed; the defaults keep every element.
override DROP_SEED: u32 = 0u;      // the layer's stream: a hash of (run seed, layer)
override DROP_THRESHOLD: u32 = 0u; // an element is dropped when its hash < floor(p * 2^32); 0 keeps all
override DROP_SCALE: f32 = 1.0;    // 1 / (1 - p) rounded to f32: kept elements are scaled so E[out] = in

// lowbias32 (Chris Wellons' integer hash): a bijection on u32 with good avalanche.
fn mix32(v: u32) -> u32 {
  var x = v;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}

// Whether element `element` (row * width + column within this step) survives dropout in this step.
fn dropout_keep(element: u32) -> bool {
  return mix32(element ^ mix32(step.index ^ mix32(step.epoch ^ DROP_SEED))) >= DROP_THRESHOLD;
}

// v scaled by 1 / (1 - p) if `element` is kept, else 0; v itself when dropout is off.
fn dropout_apply(v: f32, element: u32) -> f32 {
  if (DROP_THRESHOLD == 0u) {
    return v;
  }
  return select(0.0, v * DROP_SCALE, dropout_keep(element));
}
