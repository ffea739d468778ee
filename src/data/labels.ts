/** Fashion-MNIST class names, browser-safe. */
import { DataError } from '../errors.js';

/** Class names, index = label (the order of the Fashion-MNIST release; src/report/classes.ts keeps the same list). */
export const CLASS_NAMES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const;

/** A Fashion-MNIST class name ('T-shirt/top' ... 'Ankle boot'). */
export type ClassName = (typeof CLASS_NAMES)[number];

/** Text names of numeric labels (d2l's get_fashion_mnist_labels). A label outside 0..9 is a DataError, not "undefined". */
export function textLabels(y: ArrayLike<number>): ClassName[] {
  const out: ClassName[] = new Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const name = Number.isInteger(y[i]) ? CLASS_NAMES[y[i]] : undefined;
    if (name === undefined) throw new DataError(`label ${i} is ${y[i]}, not a Fashion-MNIST class (0..${CLASS_NAMES.length - 1})`);
    out[i] = name;
  }
  return out;
}
