import type { TiledTile } from '../gpu/tuning.js';

/** Limits of the dense template's register-tiled shape (shaders/linear.wgsl's MAX_TR, MAX_TC) and the check of a tile. */
export const MAX_TILE_ROWS = 16;
export const MAX_TILE_COLS = 8;

/** Why a tile override is out of its shader's range, or null. */
export function tileProblem(name: string, value: number, max: number): string | null {
  return Number.isInteger(value) && value >= 1 && value <= max ? null : `${name} must be 1 to ${max}, not ${value}`;
}

/** A workgroup-memory tile as its sweep and its errors name it: rows x cols x depth, and the block where not 4 x 4. */
export const tiledLabel = (t: TiledTile): string => `${t.rows}x${t.cols}x${t.depth}${t.blockRows === 4 && t.blockCols === 4 ? '' : ` (${t.blockRows}x${t.blockCols} per invocation)`}`;

/** Invocations per workgroup of the workgroup-memory shape with tile `t` (its TILE_WG). */
export const tiledInvocations = (t: TiledTile): number => (t.rows / t.blockRows) * (t.cols / t.blockCols);

/** Bytes of workgroup memory the tile's two staged slices take (its ta and tb). */
export const tiledStorageBytes = (t: TiledTile): number => 4 * t.depth * (t.rows + t.cols);

/** Why `t` is no tile shaders/linear.wgsl's *_tiled entries can be compiled with (their block and divisibility), or null. */
export function tiledTileProblem(t: TiledTile): string | null {
  for (const [name, v] of Object.entries(t)) if (!Number.isInteger(v) || v < 1) return `the workgroup-memory tile's ${name} must be a positive integer, not ${v}`;
  if (![4, 8].includes(t.blockRows) || ![4, 8].includes(t.blockCols)) return `the workgroup-memory tile's register block must be 4 or 8 rows by 4 or 8 columns (its vec4s, MAX_T4), not ${t.blockRows}x${t.blockCols}`;
  if (t.rows % t.blockRows !== 0 || t.cols % t.blockCols !== 0) return `the workgroup-memory tile ${tiledLabel(t)}: rows must be a multiple of blockRows and cols of blockCols`;
  return null;
}

/**
 * Why tile `t` does not fit a device with `limits` (invocations per workgroup, workgroup memory), with what to do,
 * or null. A pipeline past these limits fails only at creation, in several lines of the driver's.
 */
export function tiledLimitProblem(t: TiledTile, limits: Pick<GPUSupportedLimits, 'maxComputeInvocationsPerWorkgroup' | 'maxComputeWorkgroupSizeX' | 'maxComputeWorkgroupStorageSize'>): string | null {
  const fix = 'choose a smaller tile (Tuning.dense.tiled; gpu/tuning.ts MLP_TILES)';
  const invocations = tiledInvocations(t);
  const most = Math.min(limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX);
  if (invocations > most) return `the workgroup-memory tile ${tiledLabel(t)} needs ${invocations} invocations per workgroup, more than this adapter's maxComputeInvocationsPerWorkgroup / maxComputeWorkgroupSizeX (${most}) allows: ${fix}`;
  const bytes = tiledStorageBytes(t);
  if (bytes > limits.maxComputeWorkgroupStorageSize) return `the workgroup-memory tile ${tiledLabel(t)} needs ${bytes} bytes of workgroup memory, more than this adapter's maxComputeWorkgroupStorageSize (${limits.maxComputeWorkgroupStorageSize}): ${fix}`;
  return null;
}
