/**
 * The report pictures, browser-safe: everything here draws into an RgbaImage (ImageData layout).
 * Node code writes the pictures with ./png.js, which is kept out of this index so the web page can
 * import it without pulling in pngjs or node:fs.
 */
export { CLASS_NAMES, IMAGE_PIXELS, IMAGE_SIDE } from './classes.js';
export { type CellBox, type ConfusionOptions, type ConfusionPicture, confusionMatrix, confusionPicture } from './confusion.js';
export { CURVE_STYLES, type CurvesInput, type CurvesPicture, type PlotArea, curvesPicture } from './curves.js';
export { type PreviewInput, type PreviewPicture, type PreviewTile, previewPicture } from './preview.js';
export { type RgbaImage, type Rgb, createImage } from './raster.js';
export {
  type PredictionSheet, type PredictionSheetInput, SHEET_DEFAULTS, type SheetLayout, type SheetTile, predictionSheet, sheetLayout,
} from './sheet.js';
export { type WeightsInput, type WeightsPicture, type WeightsTile, weightLimit, weightsPicture } from './weights.js';
