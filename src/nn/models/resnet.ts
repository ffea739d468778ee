/** d2l 7.6: ResNet-18 (11,178,378 parameters). */
import { type LayerDecl, nn } from '../declare.js';
import { bookModel } from './book.js';

/** The book's Residual(in, out, use_1x1conv, strides): two 3x3 convolutions with BatchNorm, the sum, then ReLU. */
const residual = (inChannels: number, channels: number, use1x1: boolean, stride: number): LayerDecl =>
  nn.Sequential(
    nn.Residual(
      nn.Sequential(
        nn.Conv2d(inChannels, channels, 3, { padding: 1, stride }), nn.BatchNorm2d(channels), nn.ReLU(),
        nn.Conv2d(channels, channels, 3, { padding: 1 }), nn.BatchNorm2d(channels),
      ),
      use1x1 ? nn.Conv2d(inChannels, channels, 1, { stride }) : null,
    ),
    nn.ReLU(),
  );

/** resnet_block: `count` residuals, the first halving the size and changing the channels unless it is the first block. */
function resnetBlock(inChannels: number, channels: number, count: number, first = false): LayerDecl {
  const blocks: LayerDecl[] = [];
  for (let i = 0; i < count; i++) blocks.push(i === 0 && !first ? residual(inChannels, channels, true, 2) : residual(channels, channels, false, 1));
  return nn.Sequential(...blocks);
}

export const resnetModel = bookModel({
  kind: 'resnet18',
  summary: "d2l 7.6's ResNet-18 (4 residual stages of 2 blocks, BatchNorm, global average pooling)",
  lr: 0.05,
  batchSize: 256,
  resize: 96,
  build: (channels, classes) =>
    nn.Sequential(
      nn.Sequential(nn.Conv2d(channels, 64, 7, { stride: 2, padding: 3 }), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, { stride: 2, padding: 1 })),
      resnetBlock(64, 64, 2, true),
      resnetBlock(64, 128, 2),
      resnetBlock(128, 256, 2),
      resnetBlock(256, 512, 2),
      nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, classes),
    ),
});
