// The per-step uniform of every minibatch kernel, at @group(1): one 256-byte slot per step of an epoch, written
// when the trainer is built (src/train/steps.ts), so recording a step only binds its slot. Shapes (K, N, ...)
// are not here: they are each kernel's `override` constants, fixed when the kernel is created.
// The shader loader prepends this file to each kernel whose spec has `step: true` (src/kernels/kernel.ts).
struct Step {
  row0: u32,  // first position of this minibatch in the epoch's sample order
  rows: u32,  // samples in this minibatch; the last one of an epoch may be partial
  index: u32, // this step's number within the epoch, from 0
  epoch: u32, // the epoch, from 0 (rewritten once per epoch): with `index`, a counter for random masks
  batch: u32, // samples in the whole minibatch: `rows` where a step runs in one piece, more where it runs in
              // chunks that each fit a storage binding (src/train/steps.ts chunkSteps); the mean loss divides by it
}
@group(1) @binding(0) var<uniform> step: Step;
