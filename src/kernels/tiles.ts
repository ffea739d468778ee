/** Limits of the register-tiled dense-layer kernels (their MAX_* array sizes in WGSL) and the check of a tile. */
export const MAX_TILE_ROWS = 16;
export const MAX_TILE_COLS = 8;
export const MAX_TILE_WORDS = 4;

/** Why a tile override is out of its shader's range, or null. */
export function tileProblem(name: string, value: number, max: number): string | null {
  return Number.isInteger(value) && value >= 1 && value <= max ? null : `${name} must be 1 to ${max}, not ${value}`;
}
