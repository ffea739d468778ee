/** d2l 7.7: DenseNet, each dense block's X = cat(X, conv_block(X)) as a Concat of nn.Identity and the block (758,226 parameters). */
import { type LayerDecl, nn } from '../declare.js';
import { bookModel } from './book.js';

/** conv_block: BatchNorm2d, ReLU, 3x3 convolution. */
const convBlock = (inChannels: number, channels: number): LayerDecl => nn.Sequential(nn.BatchNorm2d(inChannels), nn.ReLU(), nn.Conv2d(inChannels, channels, 3, { padding: 1 }));

/** DenseBlock(num_convs, in, growth): each conv_block's output concatenated to its input. */
const denseBlock = (convs: number, inChannels: number, growth: number): LayerDecl =>
  nn.Sequential(...Array.from({ length: convs }, (_, i) => nn.Concat(nn.Identity(), convBlock(inChannels + i * growth, growth))));

/** transition_block: BatchNorm2d, ReLU, 1x1 convolution, 2x2 average pool. */
const transition = (inChannels: number, channels: number): LayerDecl => nn.Sequential(nn.BatchNorm2d(inChannels), nn.ReLU(), nn.Conv2d(inChannels, channels, 1), nn.AvgPool2d(2, { stride: 2 }));

export const densenetModel = bookModel({
  kind: 'densenet',
  summary: "d2l 7.7's DenseNet (4 dense blocks of 4 convolutions, growth 32, transitions halving the channels)",
  lr: 0.1,
  batchSize: 256,
  resize: 96,
  build(channels, classes) {
    const blocks: LayerDecl[] = [];
    let c = 64;
    const growth = 32;
    const convsInBlocks = [4, 4, 4, 4];
    convsInBlocks.forEach((convs, i) => {
      blocks.push(denseBlock(convs, c, growth));
      c += convs * growth;
      if (i !== convsInBlocks.length - 1) {
        blocks.push(transition(c, Math.floor(c / 2)));
        c = Math.floor(c / 2);
      }
    });
    return nn.Sequential(
      nn.Sequential(nn.Conv2d(channels, 64, 7, { stride: 2, padding: 3 }), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, { stride: 2, padding: 1 })),
      ...blocks,
      nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, classes),
    );
  },
});
