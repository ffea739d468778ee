// Advances an optimizer's step count t (a [1] f32, as PyTorch's Adam keeps state['step']) on the GPU, once per
// training step before the updates that read it (adam_update.wgsl): no count is written or read by the CPU per step.
// As an f32 it counts exactly to 2^24 steps; past that Adam's bias corrections are 1 to the last bit anyway.

@group(0) @binding(0) var<storage, read_write> step_count: array<f32>; // [1]

@compute @workgroup_size(1)
fn main() {
  step_count[0] += 1.0;
}
