#!/usr/bin/python3
"""PyTorch peer of `npm run bench -- --model lenet`: d2l's LeNet (6.6): Conv2d(1, 6, 5, padding=2) -> Sigmoid ->
AvgPool2d(2, 2) -> Conv2d(6, 16, 5) -> Sigmoid -> AvgPool2d(2, 2) -> Flatten -> Linear(400, 120) -> Sigmoid ->
Linear(120, 84) -> Sigmoid -> Linear(84, 10), Xavier-uniform weights (train_ch6), CrossEntropyLoss, SGD lr 0.9,
batch 256, on Fashion-MNIST. --activation relu --pool max is the modern variant (lr 0.1 unless --lr says).

Everything else (data preloaded as [N, 1, 28, 28] tensors, shuffled index permutations, one read per epoch, the
--json / --serve protocols, --device, --threads) is pytorch_softmax.py's: this script only swaps the network.
Run it with Debian's /usr/bin/python3 (python3-torch; see tools/install-system.sh --with-bench).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pytorch_softmax  # noqa: E402


def take_choice(flag, choices, default):
    """Removes `flag=value` / `flag value` from argv (pytorch_softmax's parser does not know it) and returns it."""
    for i, a in enumerate(sys.argv):
        value = a.split('=', 1)[1] if a.startswith(flag + '=') else sys.argv[i + 1] if a == flag and i + 1 < len(sys.argv) else None
        if value is None:
            continue
        del sys.argv[i:i + (1 if '=' in a else 2)]
        if value not in choices:
            sys.exit(f'{flag} must be one of {", ".join(choices)}, not {value}')
        return value
    return default


ACTIVATION = take_choice('--activation', ['sigmoid', 'relu'], 'sigmoid')
POOL = take_choice('--pool', ['avg', 'max'], 'avg')
# The book's rates: 0.9 for its sigmoid LeNet, 0.1 for the ReLU variant (which diverges at 0.9).
if not any(a == '--lr' or a.startswith('--lr=') for a in sys.argv):
    sys.argv.append(f'--lr={0.1 if ACTIVATION == "relu" else 0.9}')


class LenetPeer(pytorch_softmax.Peer):
    def __init__(self, args):
        super().__init__(args)
        torch, nn = self.torch, self.torch.nn
        torch.manual_seed(args.seed)
        act = nn.ReLU if ACTIVATION == 'relu' else nn.Sigmoid
        pool = nn.MaxPool2d if POOL == 'max' else nn.AvgPool2d
        self.net = nn.Sequential(
            nn.Conv2d(1, 6, kernel_size=5, padding=2), act(), pool(kernel_size=2, stride=2),
            nn.Conv2d(6, 16, kernel_size=5), act(), pool(kernel_size=2, stride=2), nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120), act(), nn.Linear(120, 84), act(), nn.Linear(84, 10)).to(self.device)
        for m in self.net:
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                nn.init.xavier_uniform_(m.weight)  # d2l's train_ch6; biases keep PyTorch's default
        self.trainer = torch.optim.SGD(self.net.parameters(), lr=args.lr)
        self.forward = self.net


pytorch_softmax.Peer = LenetPeer
pytorch_softmax.NAME_SUFFIX = f' lenet ({ACTIVATION}, {POOL}-pool)'
if __name__ == '__main__':
    sys.exit(pytorch_softmax.main())
