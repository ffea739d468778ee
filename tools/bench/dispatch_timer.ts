/**
 * Times one bound kernel alone: `reps` dispatches of it in one compute pass and one submit, per dispatch, in
 * wall time (from the submit to the queue's completion) and process CPU time (on lavapipe the driver's threads
 * are ours, so CPU time moves less when other processes share the cores). Used by the kernel micro-benchmarks
 * (mlp_kernels.ts, lenet_kernels.ts).
 */
import type { BoundKernel } from '../../src/kernels/kernel.js';

export interface DispatchTime {
  wall: number; // ms per dispatch
  cpu: number; // ms of process CPU time per dispatch
}

export function dispatchTimer(device: GPUDevice, kernel: BoundKernel<string>, group: GPUBindGroup, step: GPUBindGroup, reps: number): () => Promise<DispatchTime> {
  return async () => {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (let i = 0; i < reps; i++) kernel.encode(pass, group, step);
    pass.end();
    device.queue.submit([encoder.finish()]);
    const t = performance.now();
    const cpu = process.cpuUsage();
    await device.queue.onSubmittedWorkDone();
    const used = process.cpuUsage(cpu);
    return { wall: (performance.now() - t) / reps, cpu: (used.user + used.system) / 1000 / reps };
  };
}
