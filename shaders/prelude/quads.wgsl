// Element-wise passes take VALUES consecutive values an invocation, computed as one vec4: four where the shader's RUN
// (how many consecutive values may be taken together: a row's N, or the HW pixels of one of BatchNorm's channels) is
// a multiple of 4, else one. lavapipe, where such a pass costs more per invocation than per value, runs it 2-3x
// faster so (a sigmoid over 1.2 M values: 2.5-3 ms against 6-9 ms; a copy 2.2-3.6 against 4-7). Their grids:
// kernels/kernel.ts valuesPerInvocation.
override VALUES: u32 = select(1u, 4u, RUN % 4u == 0u);

// The first value invocation gid takes, on a 2-D grid of WG-wide workgroups (kernels/kernel.ts spreadGrid).
fn first_value(gid: vec3u, nwg: vec3u) -> u32 {
  return (gid.x + gid.y * (nwg.x * WG)) * VALUES;
}
