/** CPU twin of channel_copy.wgsl with INTO 1: `part` [rows, cPart, hw] written into channels [offset, offset + cPart) of `whole` [rows, cTotal, hw]. */
export function channelCopyInto(part: ArrayLike<number>, whole: Float64Array | Float32Array, rows: number, cPart: number, cTotal: number, hw: number, offset: number): void {
  for (let r = 0; r < rows; r++) for (let i = 0; i < cPart * hw; i++) whole[(r * cTotal + offset) * hw + i] = part[r * cPart * hw + i];
}

/** CPU twin of channel_copy.wgsl with INTO 0: channels [offset, offset + cPart) of `whole`, as a [rows, cPart, hw] part. */
export function channelCopyOut(whole: ArrayLike<number>, rows: number, cPart: number, cTotal: number, hw: number, offset: number): Float64Array {
  const part = new Float64Array(rows * cPart * hw);
  for (let r = 0; r < rows; r++) for (let i = 0; i < cPart * hw; i++) part[r * cPart * hw + i] = whole[(r * cTotal + offset) * hw + i];
  return part;
}
