// The one activation encoding of the dense kernels, the codes of the conv kernels (ACTIVATION_CODES in
// src/kernels/conv2d_shape.ts): ACT 0 none, 1 sigmoid 1 / (1 + e^-v), 2 ReLU. A forward kernel applies ACT to its
// output; an input gradient multiplies in the slope of the activation ACT that produced its h, read from h itself
// (the activation's output): ReLU's [h > 0], the sigmoid's h(1 - h).
override ACT: u32 = 0u;

fn act(v: f32) -> f32 {
  if (ACT == 2u) {
    return max(v, 0.0);
  }
  if (ACT == 1u) {
    return 1.0 / (1.0 + exp(-v));
  }
  return v;
}

fn act4(v: vec4f) -> vec4f {
  if (ACT == 2u) {
    return max(v, vec4f(0.0));
  }
  if (ACT == 1u) {
    return 1.0 / (1.0 + exp(-v));
  }
  return v;
}

// g, a gradient with respect to the activation's output h, times the activation's slope there.
fn act_slope(g: f32, h: f32) -> f32 {
  if (ACT == 2u) {
    return select(0.0, g, h > 0.0);
  }
  if (ACT == 1u) {
    return g * (h * (1.0 - h));
  }
  return g;
}

fn act_slope4(g: vec4f, h: vec4f) -> vec4f {
  if (ACT == 2u) {
    return select(vec4f(0.0), g, h > vec4f(0.0));
  }
  if (ACT == 1u) {
    return g * (h * (1.0 - h));
  }
  return g;
}
