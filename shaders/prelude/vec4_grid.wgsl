// For kernels over one tensor of COUNT f32 read and written a vec4 at a time (gpu/buffers.ts pads every buffer to
// whole vec4s with zeros): the vec4 an invocation takes, on a 2-D grid so that any tensor fits the 65,535
// workgroups of one dimension (kernels/kernel.ts, spreadGrid), and whether it is inside the tensor (the grid
// overshoots it). The shader declares COUNT and WG. Prepended by the loader (the kernel spec's `preludes`).
fn vec4_index(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * (nwg.x * WG);
}

fn inside(i: u32) -> bool {
  return i < (COUNT + 3u) / 4u;
}
