/** Limits of the dense template's register-tiled shape (shaders/linear.wgsl's MAX_TR, MAX_TC) and the check of a tile. */
export const MAX_TILE_ROWS = 16;
export const MAX_TILE_COLS = 8;

/** Why a tile override is out of its shader's range, or null. */
export function tileProblem(name: string, value: number, max: number): string | null {
  return Number.isInteger(value) && value >= 1 && value <= max ? null : `${name} must be 1 to ${max}, not ${value}`;
}
