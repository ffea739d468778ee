// Element-wise passes over a step's [rows, N] values take four consecutive values an invocation, computed as one
// vec4, where a row's values come in fours (QUAD: N % 4 == 0), else one. lavapipe, where such a pass costs more per
// invocation than per value, runs it 2-3x faster so (a sigmoid over 1.2 M values: 2.5-3 ms against 6-9 ms; a copy
// 2.2-3.6 against 4-7). Their grids: kernels/kernel.ts valuesGrid.
override QUAD: bool = N % 4u == 0u;

// The first value invocation gid takes, on a 2-D grid of WG-wide workgroups (kernels/kernel.ts spreadGrid).
fn first_value(gid: vec3u, nwg: vec3u) -> u32 {
  return (gid.x + gid.y * (nwg.x * WG)) * select(1u, 4u, QUAD);
}
