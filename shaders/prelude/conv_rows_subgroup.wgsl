// conv_rows.wgsl's layout for shaders/linear_subgroup.wgsl: out, dy and dW as f32, 4 channels (4 planes apart) per
// vec4. linear_rows_subgroup.wgsl is the dense layout, with the same functions.
@group(0) @binding(6) var<storage, read_write> out: array<f32>; // [rows, N, GRID_H, GRID_W]
@group(0) @binding(7) var<storage, read> dy: array<f32>;        // [rows, N, GRID_H, GRID_W] ∂l/∂(layer output)
@group(0) @binding(10) var<storage, read_write> dw: array<f32>; // [N, K]

fn out_store(r: u32, q: u32, v: vec4f) {
  for (var j = 0u; j < 4u; j++) {
    out[out_index(r, 4u * q) + j * GRID] = v[j];
  }
}

fn dy_load(r: u32, q: u32) -> vec4f {
  let i = out_index(r, 4u * q);
  return vec4f(dy[i], dy[i + GRID], dy[i + 2u * GRID], dy[i + 3u * GRID]);
}

fn dw_store(k: u32, q: u32, v: vec4f) {
  for (var j = 0u; j < 4u; j++) {
    dw[dw_index(k, 4u * q) + j * K] = v[j];
  }
}
