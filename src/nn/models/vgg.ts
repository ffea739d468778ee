/**
 * d2l 7.2: VGG-11, conv_arch ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512)); the book trains it with every
 * block's channels divided by 4 (`ratio = 4`), the default here (128,806,154 parameters at divisor 1).
 */
import { type LayerDecl, nn, outputShape } from '../declare.js';
import { WIDTH_DIVISOR } from '../../model/options.js';
import { bookModel } from './book.js';

const CONV_ARCH: ReadonlyArray<[number, number]> = [[1, 64], [1, 128], [2, 256], [2, 512], [2, 512]];

/** vgg_block: num_convs 3x3 convolutions with ReLU, then a 2x2 max pool. */
function vggBlock(convs: number, inChannels: number, outChannels: number): LayerDecl {
  const layers: LayerDecl[] = [];
  for (let i = 0; i < convs; i++) layers.push(nn.Conv2d(i === 0 ? inChannels : outChannels, outChannels, 3, { padding: 1 }), nn.ReLU());
  return nn.Sequential(...layers, nn.MaxPool2d(2, { stride: 2 }));
}

export const vggModel = bookModel({
  kind: 'vgg11',
  summary: "d2l 7.2's VGG-11 (5 VGG blocks, channels / --width-divisor, the book's 4)",
  lr: 0.05,
  batchSize: 128,
  resize: 224,
  extra: { widthDivisor: WIDTH_DIVISOR },
  build(channels, classes, size, { widthDivisor }) {
    const blocks: LayerDecl[] = [];
    let c = channels;
    for (const [convs, out] of CONV_ARCH) {
      const o = Math.max(1, Math.floor(out / widthDivisor));
      blocks.push(vggBlock(convs, c, o));
      c = o;
    }
    // The book's out_channels * 7 * 7 at 224 px.
    const [flat] = outputShape(nn.Sequential(...blocks, nn.Flatten()), [channels, size, size]);
    return nn.Sequential(
      ...blocks, nn.Flatten(),
      nn.Linear(flat, 4096), nn.ReLU(), nn.Dropout(0.5),
      nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
      nn.Linear(4096, classes),
    );
  },
});
