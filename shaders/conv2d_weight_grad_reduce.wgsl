// Adds conv2d_weight_grad_subgroup.wgsl's S partial sums: dw = Σ_s partial[s][:DW], db = Σ_s partial[s][DW:].
override DW: u32;     // weights: C_OUT·C_IN·KS·KS
override C_OUT: u32;  // biases
override S: u32 = 8u; // partials
override SUMS: u32 = DW + C_OUT;

@group(0) @binding(0) var<storage, read> partial: array<f32>;      // [S, SUMS]
@group(0) @binding(1) var<storage, read_write> dw: array<f32>;     // [C_OUT, C_IN, KS, KS]
@group(0) @binding(2) var<storage, read_write> db: array<f32>;     // [C_OUT]

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= SUMS) {
    return;
  }
  var total = 0.0;
  for (var s = 0u; s < S; s++) {
    total += partial[s * SUMS + i];
  }
  if (i < DW) {
    dw[i] = total;
  } else {
    db[i - DW] = total;
  }
}
