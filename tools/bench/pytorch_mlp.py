#!/usr/bin/python3
"""PyTorch peer of `npm run bench -- --model mlp`: d2l 4.3's concise MLP, nn.Sequential(nn.Flatten(),
nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)) (--hidden 256,256 for more layers; --dropout p,p for d2l
4.6's), weights ~ N(0, 0.01^2), zero biases, CrossEntropyLoss, SGD lr 0.1, batch 256, on Fashion-MNIST.

Everything else (data preloaded as tensors, shuffled index permutations, one read per epoch, the --json / --serve
protocols, --threads) is pytorch_softmax.py's: this script only swaps the network.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pytorch_softmax  # noqa: E402


def parse_list(flag, default):
    for i, a in enumerate(sys.argv):
        if a.startswith(flag + '='):
            value = a.split('=', 1)[1]
            del sys.argv[i]
            return [float(v) for v in value.split(',')]
        if a == flag and i + 1 < len(sys.argv):
            value = sys.argv[i + 1]
            del sys.argv[i:i + 2]
            return [float(v) for v in value.split(',')]
    return default


HIDDEN = [int(h) for h in parse_list('--hidden', [256])]
DROPOUT = parse_list('--dropout', [0.0] * len(HIDDEN))


class MlpPeer(pytorch_softmax.Peer):
    def __init__(self, args):
        super().__init__(args)
        torch, nn = self.torch, self.torch.nn
        torch.manual_seed(args.seed)
        layers, width = [nn.Flatten()], 784
        for h, p in zip(HIDDEN, DROPOUT):
            layers += [nn.Linear(width, h), nn.ReLU()] + ([nn.Dropout(p)] if p > 0 else [])
            width = h
        layers.append(nn.Linear(width, 10))
        self.net = nn.Sequential(*layers).to(self.device)
        for m in self.net:
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.01)
                nn.init.zeros_(m.bias)
        self.trainer = torch.optim.SGD(self.net.parameters(), lr=args.lr)
        self.forward = self.net

    def train_epoch(self, epoch):
        self.net.train()
        return super().train_epoch(epoch)

    def test_accuracy(self):
        self.net.eval()
        return super().test_accuracy()


pytorch_softmax.Peer = MlpPeer
if __name__ == '__main__':
    sys.exit(pytorch_softmax.main())
