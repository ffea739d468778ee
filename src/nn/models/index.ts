/** The book's chapter 7 CNNs (d2l-zh 7.1-7.7), each one declaration over nn layers, in the book's order. */
import type { ModelDefinition } from '../../model/model.js';
import { alexnetModel } from './alexnet.js';
import { bnLenetModel } from './bn_lenet.js';
import { densenetModel } from './densenet.js';
import { googlenetModel } from './googlenet.js';
import { ninModel } from './nin.js';
import { resnetModel } from './resnet.js';
import { vggModel } from './vgg.js';

export const CHAPTER7_MODELS: readonly ModelDefinition[] = [alexnetModel, vggModel, ninModel, googlenetModel, bnLenetModel, resnetModel, densenetModel];
