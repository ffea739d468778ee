/** d2l 7.4: GoogLeNet, its Inception blocks as Concats of four paths (5,977,530 parameters). */
import { type LayerDecl, nn } from '../declare.js';
import { bookModel } from './book.js';

/** Inception(in, c1, (c2a, c2b), (c3a, c3b), c4): four paths, each ending in ReLU, concatenated along channels. */
const inception = (c: number, c1: number, c2: [number, number], c3: [number, number], c4: number): LayerDecl =>
  nn.Concat(
    nn.Sequential(nn.Conv2d(c, c1, 1), nn.ReLU()),
    nn.Sequential(nn.Conv2d(c, c2[0], 1), nn.ReLU(), nn.Conv2d(c2[0], c2[1], 3, { padding: 1 }), nn.ReLU()),
    nn.Sequential(nn.Conv2d(c, c3[0], 1), nn.ReLU(), nn.Conv2d(c3[0], c3[1], 5, { padding: 2 }), nn.ReLU()),
    nn.Sequential(nn.MaxPool2d(3, { stride: 1, padding: 1 }), nn.Conv2d(c, c4, 1), nn.ReLU()),
  );

const pool = () => nn.MaxPool2d(3, { stride: 2, padding: 1 });

export const googlenetModel = bookModel({
  kind: 'googlenet',
  summary: "d2l 7.4's GoogLeNet (9 Inception blocks, global average pooling)",
  lr: 0.1,
  batchSize: 128,
  resize: 96,
  build: (channels, classes) =>
    nn.Sequential(
      nn.Sequential(nn.Conv2d(channels, 64, 7, { stride: 2, padding: 3 }), nn.ReLU(), pool()),
      nn.Sequential(nn.Conv2d(64, 64, 1), nn.ReLU(), nn.Conv2d(64, 192, 3, { padding: 1 }), nn.ReLU(), pool()),
      nn.Sequential(inception(192, 64, [96, 128], [16, 32], 32), inception(256, 128, [128, 192], [32, 96], 64), pool()),
      nn.Sequential(
        inception(480, 192, [96, 208], [16, 48], 64),
        inception(512, 160, [112, 224], [24, 64], 64),
        inception(512, 128, [128, 256], [24, 64], 64),
        inception(512, 112, [144, 288], [32, 64], 64),
        inception(528, 256, [160, 320], [32, 128], 128),
        pool(),
      ),
      nn.Sequential(inception(832, 256, [160, 320], [32, 128], 128), inception(832, 384, [192, 384], [48, 128], 128), nn.AdaptiveAvgPool2d(1), nn.Flatten()),
      nn.Linear(1024, classes),
    ),
});
