import { UsageError } from '../errors.js';
import { MAX_IMAGE_PIXELS } from '../report/raster.js';

/**
 * Refuses --count, --columns and --scale that, each in its range, together ask for a picture past
 * MAX_IMAGE_PIXELS (the largest reach 2.4 gigapixels, 9 GB of RGBA). `size` comes from the layout function
 * that draws the picture, so the check and the drawing agree; it runs before any data or GPU work.
 */
export function checkPictureSize(size: { width: number; height: number }, flags: { count: number; columns: number; scale: number }, hint: string): void {
  const pixels = size.width * size.height;
  if (pixels <= MAX_IMAGE_PIXELS) return;
  throw new UsageError(
    `--count ${flags.count}, --columns ${flags.columns} and --scale ${flags.scale} ask for a ${size.width}x${size.height} picture ` +
      `(${(pixels / 1e6).toFixed(0)} megapixels), more than the ${MAX_IMAGE_PIXELS / 1e6}-megapixel limit; lower one of them ${hint}`,
  );
}
