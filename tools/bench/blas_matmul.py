#!/usr/bin/python3
"""The CPU yardstick of `npm run bench -- --matmul` (tools/bench/matmul.ts): the dense template's three products
timed through the BLAS that numpy (else PyTorch) links, on --threads threads (default 1), for each M x K x N:

  forward      out = x @ W + b     x [M, K], W [K, N]
  input_grad   dx = dy @ W.T       dy [M, N]
  weight_grad  dW = x.T @ dy

f32, C-contiguous operands (the transposes are BLAS flags, no copy). Each figure is the best of --repeats runs,
each run as many products as last about 20 ms. Prints one JSON object: the library and the BLAS it loaded (from
/proc/self/maps), the threads, and per product ms, and CPU time over wall time (about 1 on one thread: a figure
near the core count means the thread limit did not hold).

  blas_matmul.py --sizes 256x784x256,1024x1024x1024 [--threads 1] [--repeats 7] [--library auto|numpy|torch]
"""
import argparse
import json
import os
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--sizes', required=True, help='M x K x N, comma-separated, e.g. 256x784x256')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--repeats', type=int, default=7)
    ap.add_argument('--library', choices=('auto', 'numpy', 'torch'), default='auto', help='auto: numpy where importable, else torch')
    args = ap.parse_args()
    # Before the BLAS loads: OpenBLAS, MKL and OpenMP read these at start-up.
    for var in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'BLIS_NUM_THREADS'):
        os.environ[var] = str(args.threads)
    sizes = []
    for s in args.sizes.split(','):
        try:
            m, k, n = (int(v) for v in s.lower().split('x'))
        except ValueError:
            sys.exit(f'--sizes: {s} is not M x K x N (e.g. 256x784x256)')
        sizes.append((m, k, n))

    try:
        if args.library == 'torch':
            raise ImportError('--library torch')
        import numpy as np
        library = f'numpy {np.__version__}'

        def operands(m, k, n, rng):
            f = lambda *shape: rng.standard_normal(shape, dtype=np.float32)  # noqa: E731
            return f(m, k), f(k, n), f(n), f(m, n)

        def products(x, w, b, dy):
            out = np.empty((x.shape[0], w.shape[1]), dtype=np.float32)
            dx = np.empty(x.shape, dtype=np.float32)
            dw = np.empty(w.shape, dtype=np.float32)

            def forward():
                np.matmul(x, w, out=out)
                np.add(out, b, out=out)
            return {'forward': forward, 'input_grad': lambda: np.matmul(dy, w.T, out=dx), 'weight_grad': lambda: np.matmul(x.T, dy, out=dw)}
        rng = np.random.default_rng(0)
    except ImportError:
        if args.library == 'numpy':
            raise
        import torch
        torch.set_num_threads(args.threads)
        library = f'torch {torch.__version__}'

        def operands(m, k, n, rng):
            return torch.randn(m, k), torch.randn(k, n), torch.randn(n), torch.randn(m, n)

        def products(x, w, b, dy):
            out, dx, dw = torch.empty(x.shape[0], w.shape[1]), torch.empty(x.shape), torch.empty(w.shape)
            return {
                'forward': lambda: torch.addmm(b, x, w, out=out),
                'input_grad': lambda: torch.mm(dy, w.t(), out=dx),
                'weight_grad': lambda: torch.mm(x.t(), dy, out=dw),
            }
        torch.manual_seed(0)
        rng = None

    rows = []
    for m, k, n in sizes:
        for name, run in products(*operands(m, k, n, rng)).items():
            run()  # the BLAS's first call sets up its buffers and threads
            t0 = time.perf_counter()
            run()
            once = max(time.perf_counter() - t0, 1e-7)
            iters = max(1, min(100000, int(0.02 / once)))
            best, cpu_per_wall = float('inf'), None
            for _ in range(args.repeats):
                c0, w0 = time.process_time(), time.perf_counter()
                for _ in range(iters):
                    run()
                wall, cpu = time.perf_counter() - w0, time.process_time() - c0
                if wall / iters < best:
                    best, cpu_per_wall = wall / iters, cpu / wall
            rows.append({'M': m, 'K': k, 'N': n, 'computation': name, 'ms': best * 1e3, 'iterations': iters, 'cpuPerWall': cpu_per_wall})

    print(json.dumps({'library': library, 'blas': loaded_blas(), 'threads': args.threads, 'repeats': args.repeats, 'rows': rows}))


def loaded_blas():
    """The BLAS shared libraries this process mapped (OpenBLAS, MKL, BLIS or the reference libblas), by path."""
    try:
        with open('/proc/self/maps', encoding='utf-8') as f:
            paths = {line.split()[-1] for line in f if '/' in line}
    except OSError:
        return None
    found = sorted(p for p in paths if any(w in os.path.basename(p).lower() for w in ('openblas', 'mkl_', 'libmkl', 'blis', 'libblas')))
    return ', '.join(found) or None


if __name__ == '__main__':
    main()
