/** d2l 7.5: LeNet with BatchNorm2d / BatchNorm1d after each convolution and linear layer but the last (44,878 parameters). */
import { nn, outputShape } from '../declare.js';
import { bookModel } from './book.js';

export const bnLenetModel = bookModel({
  kind: 'bn-lenet',
  summary: "d2l 7.5's LeNet with batch normalization (sigmoid, average pooling)",
  lr: 1.0,
  batchSize: 256,
  resize: 28,
  build(channels, classes, size) {
    const features = nn.Sequential(
      nn.Conv2d(channels, 6, 5), nn.BatchNorm2d(6), nn.Sigmoid(),
      nn.AvgPool2d(2, { stride: 2 }),
      nn.Conv2d(6, 16, 5), nn.BatchNorm2d(16), nn.Sigmoid(),
      nn.AvgPool2d(2, { stride: 2 }), nn.Flatten(),
    );
    // The book's 16 * 4 * 4 at 28 px; another --resize gives another.
    const [flat] = outputShape(features, [channels, size, size]);
    return nn.Sequential(
      ...features.layers,
      nn.Linear(flat, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
      nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(),
      nn.Linear(84, classes),
    );
  },
});
