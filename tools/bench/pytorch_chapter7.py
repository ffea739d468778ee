#!/usr/bin/python3
"""PyTorch peer of `npm run bench -- --model KIND` for the book's chapter 7 CNNs (d2l-zh 7.1-7.7, its PyTorch code's
layer lists, 1 input channel, 10 classes): bn-lenet (7.5, the concise BatchNorm LeNet), alexnet (7.1), vgg11 (7.2,
channels // --width-divisor, the book's ratio 4), nin (7.3), googlenet (7.4), resnet18 (7.6), densenet (7.7).
Xavier-uniform weights on every Linear and Conv2d (train_ch6's init_weights, through net.apply), PyTorch's
default biases and BatchNorm, CrossEntropyLoss, SGD at the book's rate (--lr), net.train() to train and net.eval()
to test, as train_ch6 and evaluate_accuracy_gpu do.

--resize N is the book's transforms.Resize(N) before ToTensor, done per minibatch on the device with
F.interpolate(bilinear, align_corners=False), the formula ours resizes with on the fly: the data stays 28 px in
memory (60,000 images at 224 px would be 12 GB of f32). AlexNet's and VGG's first Linear takes what the
features give at that size (the book's 6400 and out_channels * 7 * 7 at 224 px).

Everything else (data preloaded as [N, 1, 28, 28] tensors, shuffled index permutations, one read per epoch, the
--json / --serve protocols, --device, --threads) is pytorch_softmax.py's: this script swaps the network. Setup
also runs one untimed step and restores the weights, so that no first-use cost (cuDNN's choice of algorithms,
allocations) falls in the timed epoch: ours compiles its pipelines in setup too.

  --count-parameters   print {"KIND": sum(p.numel() for p in net.parameters()), ...} for all seven (at --resize,
                       else each one's book size, and --width-divisor) and exit; needs no data
Run it with Debian's /usr/bin/python3 (python3-torch; see tools/install-system.sh --with-bench).
"""
import copy
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pytorch_softmax  # noqa: E402

# Each model's book size (the side transforms.Resize makes) and learning rate (d2l-zh 7.1-7.7).
BOOK = {
    'bn-lenet': (28, 1.0),
    'alexnet': (224, 0.01),
    'vgg11': (224, 0.05),
    'nin': (224, 0.1),
    'googlenet': (96, 0.1),
    'resnet18': (96, 0.05),
    'densenet': (96, 0.1),
}


def take(flag, default, convert=str):
    """Removes `flag=value` / `flag value` from argv (pytorch_softmax's parser does not know it) and returns it."""
    for i, a in enumerate(sys.argv):
        value = a.split('=', 1)[1] if a.startswith(flag + '=') else sys.argv[i + 1] if a == flag and i + 1 < len(sys.argv) else None
        if value is None:
            continue
        del sys.argv[i:i + (1 if '=' in a else 2)]
        return convert(value)
    return default


def alexnet(nn, torch, size):
    features = [
        nn.Conv2d(1, 96, kernel_size=11, stride=4, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Flatten()]
    flat = flat_size(torch, nn.Sequential(*features), size)  # the book's 6400 at 224 px
    return nn.Sequential(
        *features,
        nn.Linear(flat, 4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, 10))


def vgg11(nn, torch, size, ratio):
    def vgg_block(num_convs, in_channels, out_channels):
        layers = []
        for _ in range(num_convs):
            layers.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
            layers.append(nn.ReLU())
            in_channels = out_channels
        layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        return nn.Sequential(*layers)

    conv_arch = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))
    small_conv_arch = [(pair[0], pair[1] // ratio) for pair in conv_arch]
    conv_blks = []
    in_channels = 1
    for (num_convs, out_channels) in small_conv_arch:
        conv_blks.append(vgg_block(num_convs, in_channels, out_channels))
        in_channels = out_channels
    flat = flat_size(torch, nn.Sequential(*conv_blks, nn.Flatten()), size)  # out_channels * 7 * 7 at 224 px
    return nn.Sequential(
        *conv_blks, nn.Flatten(),
        nn.Linear(flat, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 10))


def nin(nn):
    def nin_block(in_channels, out_channels, kernel_size, strides, padding):
        return nn.Sequential(
            nn.Conv2d(in_channels, out_channels, kernel_size, strides, padding), nn.ReLU(),
            nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
            nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())

    return nn.Sequential(
        nin_block(1, 96, kernel_size=11, strides=4, padding=0),
        nn.MaxPool2d(3, stride=2),
        nin_block(96, 256, kernel_size=5, strides=1, padding=2),
        nn.MaxPool2d(3, stride=2),
        nin_block(256, 384, kernel_size=3, strides=1, padding=1),
        nn.MaxPool2d(3, stride=2),
        nn.Dropout(0.5),
        nin_block(384, 10, kernel_size=3, strides=1, padding=1),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten())


def googlenet(nn, torch):
    F = torch.nn.functional

    class Inception(nn.Module):
        def __init__(self, in_channels, c1, c2, c3, c4, **kwargs):
            super(Inception, self).__init__(**kwargs)
            self.p1_1 = nn.Conv2d(in_channels, c1, kernel_size=1)
            self.p2_1 = nn.Conv2d(in_channels, c2[0], kernel_size=1)
            self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
            self.p3_1 = nn.Conv2d(in_channels, c3[0], kernel_size=1)
            self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
            self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
            self.p4_2 = nn.Conv2d(in_channels, c4, kernel_size=1)

        def forward(self, x):
            p1 = F.relu(self.p1_1(x))
            p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
            p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
            p4 = F.relu(self.p4_2(self.p4_1(x)))
            return torch.cat((p1, p2, p3, p4), dim=1)

    b1 = nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3),
                       nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b2 = nn.Sequential(nn.Conv2d(64, 64, kernel_size=1),
                       nn.ReLU(),
                       nn.Conv2d(64, 192, kernel_size=3, padding=1),
                       nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b3 = nn.Sequential(Inception(192, 64, (96, 128), (16, 32), 32),
                       Inception(256, 128, (128, 192), (32, 96), 64),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b4 = nn.Sequential(Inception(480, 192, (96, 208), (16, 48), 64),
                       Inception(512, 160, (112, 224), (24, 64), 64),
                       Inception(512, 128, (128, 256), (24, 64), 64),
                       Inception(512, 112, (144, 288), (32, 64), 64),
                       Inception(528, 256, (160, 320), (32, 128), 128),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b5 = nn.Sequential(Inception(832, 256, (160, 320), (32, 128), 128),
                       Inception(832, 384, (192, 384), (48, 128), 128),
                       nn.AdaptiveAvgPool2d((1, 1)),
                       nn.Flatten())
    return nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, 10))


def bn_lenet(nn, torch, size):
    features = [
        nn.Conv2d(1, 6, kernel_size=5), nn.BatchNorm2d(6), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten()]
    flat = flat_size(torch, nn.Sequential(*features).eval(), size)  # the book's 256 (16 * 4 * 4) at 28 px
    return nn.Sequential(
        *features,
        nn.Linear(flat, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(),
        nn.Linear(84, 10))


def resnet18(nn, torch):
    F = torch.nn.functional

    class Residual(nn.Module):
        def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
            super().__init__()
            self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides)
            self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
            if use_1x1conv:
                self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides)
            else:
                self.conv3 = None
            self.bn1 = nn.BatchNorm2d(num_channels)
            self.bn2 = nn.BatchNorm2d(num_channels)

        def forward(self, X):
            Y = F.relu(self.bn1(self.conv1(X)))
            Y = self.bn2(self.conv2(Y))
            if self.conv3:
                X = self.conv3(X)
            Y += X
            return F.relu(Y)

    def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
        blk = []
        for i in range(num_residuals):
            if i == 0 and not first_block:
                blk.append(Residual(input_channels, num_channels, use_1x1conv=True, strides=2))
            else:
                blk.append(Residual(num_channels, num_channels))
        return blk

    b1 = nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3),
                       nn.BatchNorm2d(64), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b2 = nn.Sequential(*resnet_block(64, 64, 2, first_block=True))
    b3 = nn.Sequential(*resnet_block(64, 128, 2))
    b4 = nn.Sequential(*resnet_block(128, 256, 2))
    b5 = nn.Sequential(*resnet_block(256, 512, 2))
    return nn.Sequential(b1, b2, b3, b4, b5,
                         nn.AdaptiveAvgPool2d((1, 1)),
                         nn.Flatten(), nn.Linear(512, 10))


def densenet(nn, torch):
    def conv_block(input_channels, num_channels):
        return nn.Sequential(
            nn.BatchNorm2d(input_channels), nn.ReLU(),
            nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1))

    class DenseBlock(nn.Module):
        def __init__(self, num_convs, input_channels, num_channels):
            super(DenseBlock, self).__init__()
            layer = []
            for i in range(num_convs):
                layer.append(conv_block(num_channels * i + input_channels, num_channels))
            self.net = nn.Sequential(*layer)

        def forward(self, X):
            for blk in self.net:
                Y = blk(X)
                X = torch.cat((X, Y), dim=1)
            return X

    def transition_block(input_channels, num_channels):
        return nn.Sequential(
            nn.BatchNorm2d(input_channels), nn.ReLU(),
            nn.Conv2d(input_channels, num_channels, kernel_size=1),
            nn.AvgPool2d(kernel_size=2, stride=2))

    b1 = nn.Sequential(
        nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3),
        nn.BatchNorm2d(64), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    num_channels, growth_rate = 64, 32
    num_convs_in_dense_blocks = [4, 4, 4, 4]
    blks = []
    for i, num_convs in enumerate(num_convs_in_dense_blocks):
        blks.append(DenseBlock(num_convs, num_channels, growth_rate))
        num_channels += num_convs * growth_rate
        if i != len(num_convs_in_dense_blocks) - 1:
            blks.append(transition_block(num_channels, num_channels // 2))
            num_channels = num_channels // 2
    return nn.Sequential(
        b1, *blks,
        nn.BatchNorm2d(num_channels), nn.ReLU(),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten(),
        nn.Linear(num_channels, 10))


def flat_size(torch, features, size):
    with torch.no_grad():
        return features(torch.zeros(1, 1, size, size)).shape[1]


def build(kind, size, width_divisor):
    import torch
    from torch import nn
    if kind == 'bn-lenet':
        return bn_lenet(nn, torch, size)
    if kind == 'alexnet':
        return alexnet(nn, torch, size)
    if kind == 'vgg11':
        return vgg11(nn, torch, size, width_divisor)
    if kind == 'nin':
        return nin(nn)
    if kind == 'googlenet':
        return googlenet(nn, torch)
    if kind == 'resnet18':
        return resnet18(nn, torch)
    return densenet(nn, torch)


MODEL = take('--model', 'bn-lenet')
if MODEL not in BOOK:
    sys.exit(f'--model must be one of {", ".join(BOOK)}, not {MODEL}')
RESIZE = take('--resize', None, int)
WIDTH_DIVISOR = take('--width-divisor', 4, int)
COUNT = '--count-parameters' in sys.argv
SIZE = RESIZE if RESIZE is not None else BOOK[MODEL][0]
if not any(a == '--lr' or a.startswith('--lr=') for a in sys.argv):
    sys.argv.append(f'--lr={BOOK[MODEL][1]}')


class Chapter7Peer(pytorch_softmax.Peer):
    def __init__(self, args):
        super().__init__(args)
        torch, nn = self.torch, self.torch.nn
        torch.manual_seed(args.seed)
        self.net = build(MODEL, SIZE, WIDTH_DIVISOR)

        def init_weights(m):  # d2l's train_ch6
            if type(m) == nn.Linear or type(m) == nn.Conv2d:  # noqa: E721 - the book's test
                nn.init.xavier_uniform_(m.weight)
        self.net.apply(init_weights)
        self.net.to(self.device)
        self.trainer = torch.optim.SGD(self.net.parameters(), lr=args.lr)
        self.forward = self.resized_forward
        note = f'{MODEL} at {SIZE} px' + (f', width divisor {WIDTH_DIVISOR}' if MODEL == 'vgg11' else '')
        self.notes = f'{note}; {self.notes}' if self.notes else note
        # One untimed step, then the weights, BatchNorm statistics and optimizer put back as they were.
        state, opt = copy.deepcopy(self.net.state_dict()), copy.deepcopy(self.trainer.state_dict())
        self.net.train()
        self.loss(self.forward(self.x_train[:args.batch_size]), self.y_train[:args.batch_size]).mean().backward()
        self.trainer.zero_grad()
        self.net.load_state_dict(state)
        self.trainer.load_state_dict(opt)
        self.sync()

    def resized_forward(self, x):
        if SIZE != x.shape[-1]:
            x = self.torch.nn.functional.interpolate(x, size=(SIZE, SIZE), mode='bilinear', align_corners=False)
        return self.net(x)

    def train_epoch(self, epoch):
        self.net.train()
        return super().train_epoch(epoch)

    def test_accuracy(self):
        torch, bs = self.torch, self.args.batch_size
        self.net.eval()
        hits = 0
        with torch.no_grad():  # in minibatches: the whole test set at 224 px would not fit
            for i in range(0, self.x_test.shape[0], bs):
                hits += (self.resized_forward(self.x_test[i:i + bs]).argmax(dim=1) == self.y_test[i:i + bs]).sum().item()
        return hits / self.x_test.shape[0]


def count_parameters():
    counts = {}
    for kind, (size, _) in BOOK.items():
        net = build(kind, RESIZE if RESIZE is not None else size, WIDTH_DIVISOR)
        counts[kind] = sum(p.numel() for p in net.parameters())
    print(json.dumps(counts))
    return 0


pytorch_softmax.Peer = Chapter7Peer
pytorch_softmax.NAME_SUFFIX = f' {MODEL}'
if __name__ == '__main__':
    sys.exit(count_parameters() if COUNT else pytorch_softmax.main())
