import { ceilDiv, defineKernel } from './kernel.js';

/** The largest ROWS the shader's per-invocation arrays hold (its MAX_ROWS). */
export const FUSED_MAX_ROWS = 8;

/**
 * gather + x·W + b + softmax + loss + dlogits + argmax for one step, ROWS rows per invocation (at most
 * FUSED_MAX_ROWS). Created with constants { STABLE_LOSS: 0 } for the scratch model's clamped -log(p[y]),
 * 1 (default) for log-sum-exp.
 */
export const fusedForwardLossGrad = defineKernel<'images' | 'labels' | 'order' | 'w' | 'b' | 'dlogits' | 'sample_loss' | 'sample_hit', 'K'>({
  shader: 'fused_forward_loss_grad',
  shape: ['K'],
  step: true,
  tunable: true,
  constants: { ROWS: 2 },
  checkConstants: (c) =>
    !(Number.isInteger(c.ROWS) && c.ROWS >= 1 && c.ROWS <= FUSED_MAX_ROWS) ? `ROWS must be 1 to ${FUSED_MAX_ROWS} rows per invocation, not ${c.ROWS}`
    : c.K % 16 !== 0 ? `K must be a multiple of 16 (it reads 16 pixels at a time), not ${c.K}`
    : null,
  grid: (c, rows) => [ceilDiv(ceilDiv(rows, c.ROWS), c.WG)],
});

/** The fused kernels keep per-row values in registers, sized for this many classes. */
export const FUSED_CLASSES = 10;
/** W and dlogits are read through 64 KiB uniform bindings (WebGPU's guaranteed maxUniformBufferBindingSize). */
export const FUSED_UNIFORM_BYTES = 65536;

/** Why the fused kernels cannot run these dimensions, or null when they can. */
export function fusedUnsupported(d: { rows: number; features: number; classes: number }): string | null {
  if (d.classes !== FUSED_CLASSES) return `they are built for ${FUSED_CLASSES} classes, not ${d.classes}`;
  if (d.features % 16 !== 0) return `they read 16 pixels at a time and need a multiple of 16 features, not ${d.features}`;
  if (d.features * d.classes * 4 > FUSED_UNIFORM_BYTES) return `W (${d.features} x ${d.classes} f32) exceeds a 64 KiB uniform binding`;
  if (d.rows * d.classes * 4 > FUSED_UNIFORM_BYTES) return `a batch of ${d.rows} rows of dlogits exceeds a 64 KiB uniform binding (at most ${Math.floor(FUSED_UNIFORM_BYTES / (4 * d.classes))} rows)`;
  return null;
}
