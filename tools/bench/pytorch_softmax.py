#!/usr/bin/python3
"""PyTorch peer of `npm run bench`: d2l's concise softmax regression (nn.Flatten + nn.Linear(784, 10),
W ~ N(0, 0.01^2), b = 0, CrossEntropyLoss, SGD lr 0.1, batch 256) on Fashion-MNIST.

Differences from d2l, all to time the training rather than the input pipeline: the data is decoded once into
float tensors (on the GPU with --device cuda) and each epoch walks a shuffled index permutation, instead of a
DataLoader. Run it with Debian's /usr/bin/python3 (python3-torch; see tools/install-system.sh --with-bench).

  --epochs E --json   train E epochs, print one JSON line {name, epochs: [{seconds, loss, trainAccuracy}],
                      testAccuracy, adapter, rssMB}
  --serve             line protocol used by tools/bench/child.ts: prints {"ready": ...} after setup, then
                      answers "train <epoch>" / "test" / "quit" on stdin with one JSON line each
"""
import argparse
import gzip
import json
import os
import resource
import sys
import time

# Where the Node side looks too (src/data/node.ts): $FASHION_MNIST_DIR, else Debian's dataset-fashion-mnist.
DATA_DIR = os.environ.get('FASHION_MNIST_DIR') or '/usr/share/datasets/fashion-mnist'


def read_idx(data_dir, name, header):
    import numpy as np
    path = os.path.join(data_dir, name)
    raw = gzip.open(path + '.gz', 'rb').read() if os.path.exists(path + '.gz') else open(path, 'rb').read()
    return np.frombuffer(raw, dtype=np.uint8, offset=header)  # u8 IDX: magic + one u32 per dimension


def load_split(torch, data_dir, prefix, count, device):
    import numpy as np
    images = read_idx(data_dir, f'{prefix}-images-idx3-ubyte', 16).reshape(-1, 28, 28)[:count]
    labels = read_idx(data_dir, f'{prefix}-labels-idx1-ubyte', 8)[:count]
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)  # [N, 1, 28, 28] like ToTensor
    y = torch.from_numpy(labels.astype(np.int64))
    return x.to(device), y.to(device)


def blas_name(torch):
    # Which libblas Debian's alternatives point at: OpenBLAS is ~5x faster than the reference BLAS here.
    link = '/usr/lib/x86_64-linux-gnu/libblas.so.3'
    if not os.path.exists(link):
        # A pip/conda torch (as on the GPU machines) brings its own BLAS and ignores the system's.
        return 'MKL' if torch.backends.mkl.is_available() else 'its bundled BLAS'
    path = os.path.realpath(link)
    for name in ('openblas-pthread', 'openblas-openmp', 'openblas-serial', 'blis', 'atlas', 'mkl'):
        if name in path:
            return name
    return 'reference BLAS' if 'blas/' in path else os.path.basename(os.path.dirname(path))


class Peer:
    def __init__(self, args):
        import torch
        from torch import nn
        self.torch, self.args = torch, args
        if args.device == 'cuda' and not torch.cuda.is_available():
            raise Unavailable('CUDA is not available to this torch build')
        torch.set_num_threads(args.threads)
        torch.manual_seed(args.seed)
        self.device = torch.device(args.device)
        self.x_train, self.y_train = load_split(torch, args.data, 'train', args.train_count, self.device)
        self.x_test, self.y_test = load_split(torch, args.data, 't10k', args.test_count, self.device)
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10)).to(self.device)
        nn.init.normal_(self.net[1].weight, std=0.01)
        nn.init.zeros_(self.net[1].bias)
        self.loss = nn.CrossEntropyLoss(reduction='none')  # d2l's concise chapter: sum for the metric, mean to step
        self.trainer = torch.optim.SGD(self.net.parameters(), lr=args.lr)
        self.notes = None
        self.forward = self.net
        if args.compile:
            if hasattr(torch, 'compile'):
                try:
                    self.forward = torch.compile(self.net)
                    self.forward(self.x_train[:args.batch_size])  # compile now, not inside epoch 0
                except Exception as e:  # noqa: BLE001 - report, then fall back to eager
                    self.forward, self.notes = self.net, f'torch.compile failed, eager instead: {type(e).__name__}: {e}'
            else:
                self.notes = f'torch {torch.__version__} has no torch.compile; eager'
        if args.device == 'cuda':
            self.adapter = f'cuda: {torch.cuda.get_device_name(0)}'
        else:
            self.adapter = f'cpu: {blas_name(torch)}, {torch.get_num_threads()} thread(s)'
        self.adapter += f', torch {torch.__version__}'

    def sync(self):
        if self.args.device == 'cuda':
            self.torch.cuda.synchronize()

    def train_epoch(self, epoch):
        torch, n, bs = self.torch, self.x_train.shape[0], self.args.batch_size
        self.sync()
        start = time.perf_counter()
        gen = torch.Generator().manual_seed(self.args.seed * 1000003 + epoch)
        order = torch.randperm(n, generator=gen).to(self.device)
        # Sums stay on the device; one read per epoch (the .item() calls below also act as the final sync).
        loss_sum = torch.zeros((), device=self.device)
        correct = torch.zeros((), device=self.device, dtype=torch.int64)
        for i in range(0, n, bs):
            idx = order[i:i + bs]
            x, y = self.x_train[idx], self.y_train[idx]
            y_hat = self.forward(x)
            l = self.loss(y_hat, y)
            self.trainer.zero_grad()
            l.mean().backward()
            self.trainer.step()
            with torch.no_grad():
                loss_sum += l.sum()
                correct += (y_hat.argmax(dim=1) == y).sum()
        loss, hits = loss_sum.item(), correct.item()
        self.sync()
        return {'seconds': time.perf_counter() - start, 'loss': loss / n, 'trainAccuracy': hits / n}

    def test_accuracy(self):
        with self.torch.no_grad():
            hits = (self.net(self.x_test).argmax(dim=1) == self.y_test).sum().item()
        return hits / self.x_test.shape[0]


class Unavailable(Exception):
    pass


def peak_rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # KiB on Linux


# Said after the device in the peer's name; a peer for another network (pytorch_lenet.py) sets it.
NAME_SUFFIX = ''


def emit(obj):
    print(json.dumps(obj), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--epochs', type=int, default=4)
    ap.add_argument('--json', action='store_true', help='print one JSON line instead of a table')
    ap.add_argument('--serve', action='store_true')
    ap.add_argument('--device', choices=['cpu', 'cuda'], default='cpu')
    ap.add_argument('--threads', type=int, default=1, help='torch.set_num_threads (1 was the steady choice here)')
    ap.add_argument('--compile', action='store_true', help='try torch.compile (torch >= 2)')
    ap.add_argument('--seed', type=int, default=42)
    ap.add_argument('--batch-size', type=int, default=256)
    ap.add_argument('--lr', type=float, default=0.1)
    ap.add_argument('--train-count', type=int, default=60000)
    ap.add_argument('--test-count', type=int, default=10000)
    ap.add_argument('--data', default=DATA_DIR, help='folder of the four IDX files (NAME or NAME.gz)')
    args = ap.parse_args()
    # torch.set_num_threads does not reach Debian's OpenBLAS (torch is built against a generic BLAS), and
    # OpenBLAS starts one thread per core when loaded (by numpy or torch): cap it first so --threads holds.
    os.environ.setdefault('OPENBLAS_NUM_THREADS', str(args.threads))
    name = f'pytorch-{args.device}{NAME_SUFFIX}' + (' (torch.compile)' if args.compile else '')

    try:
        peer = Peer(args)
    except (ImportError, Unavailable) as e:
        emit({'name': name, 'skipped': True, 'notes': str(e), 'epochs': [], 'testAccuracy': None,
              'adapter': None, 'rssMB': peak_rss_mb()})
        return 0

    if args.serve:
        emit({'ready': True, 'name': name, 'adapter': peer.adapter, 'notes': peer.notes})
        for line in sys.stdin:
            cmd = line.split()
            try:
                if cmd[:1] == ['train']:
                    emit(peer.train_epoch(int(cmd[1])))
                elif cmd == ['test']:
                    emit({'testAccuracy': peer.test_accuracy()})
                elif cmd == ['quit']:
                    break
                else:
                    emit({'error': f'unknown command {line.strip()!r}'})
            except Exception as e:  # noqa: BLE001 - the parent turns it into a rejected promise
                emit({'error': f'{type(e).__name__}: {e}'})
        emit({'rssMB': peak_rss_mb()})
        return 0

    epochs = []
    for epoch in range(args.epochs):
        epochs.append(peer.train_epoch(epoch))
        if not args.json:
            r = epochs[-1]
            print(f"epoch {epoch + 1}: {r['seconds']:.3f} s, loss {r['loss']:.4f}, "
                  f"train acc {r['trainAccuracy']:.4f}", file=sys.stderr)
    report = {'name': name, 'epochs': epochs, 'testAccuracy': peer.test_accuracy(), 'adapter': peer.adapter,
              'rssMB': peak_rss_mb()}
    if peer.notes:
        report['notes'] = peer.notes
    if args.json:
        emit(report)
    else:
        print(f"{name} on {peer.adapter}: test acc {report['testAccuracy']:.4f}, peak RSS {report['rssMB']} MiB")
    return 0


if __name__ == '__main__':
    sys.exit(main())
