/** d2l 7.3: Network in Network, ending in global average pooling of 10 channels (1,992,166 parameters). */
import { type LayerDecl, nn } from '../declare.js';
import { bookModel } from './book.js';

/** nin_block: a convolution, then two 1x1 convolutions, each with ReLU. */
const ninBlock = (inChannels: number, outChannels: number, kernel: number, stride: number, padding: number): LayerDecl =>
  nn.Sequential(
    nn.Conv2d(inChannels, outChannels, kernel, { stride, padding }), nn.ReLU(),
    nn.Conv2d(outChannels, outChannels, 1), nn.ReLU(),
    nn.Conv2d(outChannels, outChannels, 1), nn.ReLU(),
  );

export const ninModel = bookModel({
  kind: 'nin',
  summary: "d2l 7.3's NiN (4 NiN blocks, 3 max pools, global average pooling)",
  lr: 0.1,
  batchSize: 128,
  resize: 224,
  build: (channels, classes) =>
    nn.Sequential(
      ninBlock(channels, 96, 11, 4, 0),
      nn.MaxPool2d(3, { stride: 2 }),
      ninBlock(96, 256, 5, 1, 2),
      nn.MaxPool2d(3, { stride: 2 }),
      ninBlock(256, 384, 3, 1, 1),
      nn.MaxPool2d(3, { stride: 2 }),
      nn.Dropout(0.5),
      ninBlock(384, classes, 3, 1, 1),
      nn.AdaptiveAvgPool2d(1),
      nn.Flatten(),
    ),
});
