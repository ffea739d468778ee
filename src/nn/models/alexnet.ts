/** d2l 7.1: AlexNet for 224 px Fashion-MNIST (46,764,746 parameters). */
import { nn, outputShape } from '../declare.js';
import { bookModel } from './book.js';

export const alexnetModel = bookModel({
  kind: 'alexnet',
  summary: "d2l 7.1's AlexNet (5 convolutions, 3 max pools, 2 dropout 4096-unit layers)",
  lr: 0.01,
  batchSize: 128,
  resize: 224,
  build(channels, classes, size) {
    const features = nn.Sequential(
      nn.Conv2d(channels, 96, 11, { stride: 4, padding: 1 }), nn.ReLU(),
      nn.MaxPool2d(3, { stride: 2 }),
      nn.Conv2d(96, 256, 5, { padding: 2 }), nn.ReLU(),
      nn.MaxPool2d(3, { stride: 2 }),
      nn.Conv2d(256, 384, 3, { padding: 1 }), nn.ReLU(),
      nn.Conv2d(384, 384, 3, { padding: 1 }), nn.ReLU(),
      nn.Conv2d(384, 256, 3, { padding: 1 }), nn.ReLU(),
      nn.MaxPool2d(3, { stride: 2 }),
      nn.Flatten(),
    );
    // The book's 6400 (256 x 5 x 5) at 224 px.
    const [flat] = outputShape(features, [channels, size, size]);
    return nn.Sequential(
      ...features.layers,
      nn.Linear(flat, 4096), nn.ReLU(), nn.Dropout(0.5),
      nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
      nn.Linear(4096, classes),
    );
  },
});
