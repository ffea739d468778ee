/**
 * What the report needs to know about Fashion-MNIST: image size and class names (index = label).
 */
import { CLASS_NAMES as DATA_CLASS_NAMES } from '../data/labels.js';

/** Side of a Fashion-MNIST image in pixels. */
export const IMAGE_SIDE = 28;
export const IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE;

/** The dataset's class names; pictures accept any other list through their classNames option. */
export const CLASS_NAMES: readonly string[] = DATA_CLASS_NAMES;

/** Name of class `label`, or "class N" for a label outside the list (e.g. a model with more outputs). */
export function className(names: readonly string[], label: number): string {
  return names[label] ?? `class ${label}`;
}
