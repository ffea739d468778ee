/**
 * IDX file parsing (the format of the MNIST / Fashion-MNIST release), browser-safe.
 *
 * Layout: magic `00 00 TT RR` (TT = element type, RR = rank), then RR big-endian u32 dimensions, then the
 * elements row-major. Only unsigned bytes (TT = 0x08) occur in Fashion-MNIST, so only those are accepted.
 *
 * Every check runs on the header against the bytes actually present, before anything sized by the header
 * is touched: a corrupt or hostile header declaring 2^31 x 28 x 28 elements must fail in microseconds,
 * not try to allocate 1.6 TB. The returned data is a view into the input, never a copy.
 */
import { DataError } from '../errors.js';

/** An IDX file parsed: its dimensions and its u8 data. */
export interface IdxArray {
  /** The dimensions, outermost first (e.g. [60000, 28, 28]). */
  dims: number[];
  /** [prod(dims)] u8 row-major, a view into the parsed bytes */
  data: Uint8Array;
}

/** Options of parseIdx. */
export interface ParseIdxOptions {
  /** Reject files of any other rank (3 for images, 1 for labels). */
  expectedRank?: number | undefined;
}

export const IDX_UBYTE = 0x08;
export const IDX_MAX_RANK = 4;

// Names of the IDX element types, so a rejected file says what it holds instead of just a number.
const ELEMENT_TYPES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'i16',
  0x0c: 'i32',
  0x0d: 'f32',
  0x0e: 'f64',
};

const hex = (n: number, digits: number): string => `0x${n.toString(16).padStart(digits, '0')}`;

/** True when `bytes` starts with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Parses a raw (already decompressed) IDX file of unsigned bytes. Throws DataError `<fileName>: <problem>`. */
export function parseIdx(bytes: Uint8Array, fileName: string, opts: ParseIdxOptions = {}): IdxArray {
  const fail = (problem: string): DataError => new DataError(`${fileName}: ${problem}`);
  if (bytes.length === 0) throw fail('empty file');
  if (bytes.length < 4) throw fail(`too short for an IDX header (${bytes.length} bytes, need at least 4)`);
  if (isGzip(bytes)) throw fail('is gzip-compressed; decompress it before parsing');

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw fail(`not an IDX file (magic ${hex(magic, 8)})`);

  const type = bytes[2];
  if (type !== IDX_UBYTE) {
    const name = ELEMENT_TYPES[type] ?? 'unknown type';
    throw fail(`element type ${hex(type, 2)} (${name}) is not supported; expected ${hex(IDX_UBYTE, 2)} (unsigned byte)`);
  }

  const rank = bytes[3];
  if (rank < 1 || rank > IDX_MAX_RANK) throw fail(`rank ${rank} is out of range 1..${IDX_MAX_RANK}`);
  if (opts.expectedRank !== undefined && rank !== opts.expectedRank) {
    throw fail(`expected an IDX array of rank ${opts.expectedRank}, got rank ${rank}`);
  }

  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw fail(`header of rank ${rank} needs ${headerBytes} bytes but the file has only ${bytes.length}`);
  }

  const dims: number[] = [];
  // BigInt so that the declared size is exact even when a corrupt header multiplies four 2^32 dimensions.
  let declared = 1n;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    if (d === 0) throw fail(`dimension ${i} is 0`);
    dims.push(d);
    declared *= BigInt(d);
  }

  const present = bytes.length - headerBytes;
  if (declared !== BigInt(present)) {
    const how = declared > BigInt(present) ? 'truncated' : `${BigInt(present) - declared} trailing bytes`;
    throw fail(`header [${dims.join(', ')}] declares ${declared} bytes of data but has ${present} (${how})`);
  }

  // A plain Uint8Array view, even when the input is a Node Buffer, so consumers see one type.
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, present) };
}

export const IMAGE_ROWS = 28;
export const IMAGE_COLS = 28;
export const IMAGE_PIXELS = IMAGE_ROWS * IMAGE_COLS;
export const NUM_CLASSES = 10;

export interface CheckedImagesLabels {
  /** [count, 784] u8 row-major */
  images: Uint8Array;
  /** [count] class index 0..9 */
  labels: Uint8Array;
  count: number;
}

/** Checks that an images file and a labels file form one Fashion-MNIST split: [N, 28, 28] and [N], labels 0..9. */
export function checkImagesLabels(images: IdxArray, labels: IdxArray, imagesFile: string, labelsFile: string): CheckedImagesLabels {
  if (images.dims.length !== 3) {
    throw new DataError(`${imagesFile}: expected images of shape [N, ${IMAGE_ROWS}, ${IMAGE_COLS}], got [${images.dims.join(', ')}]`);
  }
  const [count, rows, cols] = images.dims;
  if (rows !== IMAGE_ROWS || cols !== IMAGE_COLS) {
    throw new DataError(`${imagesFile}: expected ${IMAGE_ROWS}x${IMAGE_COLS} images, got ${rows}x${cols}`);
  }
  if (labels.dims.length !== 1) {
    throw new DataError(`${labelsFile}: expected labels of shape [N], got [${labels.dims.join(', ')}]`);
  }
  const labelCount = labels.dims[0];
  if (labelCount !== count) {
    const which = labelCount > count ? 'more' : 'fewer';
    throw new DataError(`${labelsFile}: has ${labelCount} labels, ${which} than the ${count} images in ${imagesFile}`);
  }
  const y = labels.data;
  for (let i = 0; i < y.length; i++) {
    if (y[i] >= NUM_CLASSES) {
      throw new DataError(`${labelsFile}: label ${i} is ${y[i]}, outside the classes 0..${NUM_CLASSES - 1}`);
    }
  }
  return { images: images.data, labels: y, count };
}
