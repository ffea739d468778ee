#!/usr/bin/env python3
"""Gathers what the stages of tools/gpu-bench/run left in RESULTS into OUT/gpu-bench.md and OUT/gpu-bench.json.

Python rather than Node because it must run even when Node could not be unpacked: a stage that failed or left
nothing is reported as such, and the rest of the report is still written.

  report.py RESULTS OUT --models "softmax ..." [--vk-driver-files PATH] [--seconds N]
"""
import argparse
import datetime
import json
import os


def read(path):
    try:
        with open(path, encoding='utf-8') as f:
            return f.read()
    except OSError:
        return None


def read_json(path):
    text = read(path)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None  # cut short by a time limit: reported as missing


def first_line(text, prefix=''):
    for line in (text or '').splitlines():
        if line.startswith(prefix):
            return line
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('results')
    ap.add_argument('out')
    ap.add_argument('--models', default='', help='the models the run benched, space-separated')
    ap.add_argument('--vk-driver-files', default=os.environ.get('VK_DRIVER_FILES'))
    ap.add_argument('--seconds', type=int, default=None, help='wall time of the whole run')
    args = ap.parse_args()
    res = lambda name: os.path.join(args.results, name)  # noqa: E731

    stages = []
    for line in (read(res('stages.tsv')) or '').splitlines():
        name, status, seconds, detail = (line.split('\t') + ['', '', ''])[:4]
        stages.append({'name': name, 'status': status, 'seconds': int(seconds or 0), 'detail': detail})

    adapter = first_line(read(res('adapter.txt')), 'adapter:')
    adapter = adapter[len('adapter:'):].strip() if adapter else None
    torch_line = first_line(read(res('torch.txt')), 'torch')
    kernels_text = read(res('kernels.txt'))
    kernel_summary = first_line(kernels_text, 'kernel check:')
    kernel_check = None
    if kernel_summary:
        words = kernel_summary.split()
        kernel_check = {
            'passed': int(words[2]),
            'failed': int(words[4]),
            'line': kernel_summary,
            'failures': [line for line in kernels_text.splitlines() if line.startswith('FAIL ')],
        }
    sweep = read_json(res('sweep.json'))
    tiles = (read_json(res('tiles.json')) or {}).get('dense')
    matmul = read_json(res('matmul.json'))
    models = {m: read_json(res(f'bench-{m}.json')) for m in args.models.split()}

    date = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    report = {
        'date': date,
        'seconds': args.seconds,
        'vkDriverFiles': args.vk_driver_files,
        'adapter': adapter,
        'torch': torch_line,
        'stages': stages,
        'kernelCheck': kernel_check,
        'sweep': sweep,
        'tiles': tiles,
        'matmul': matmul,
        'models': models,
    }
    with open(os.path.join(args.out, 'gpu-bench.json'), 'w', encoding='utf-8') as f:
        json.dump(report, f, indent=2)

    md = [
        f'# GPU bench, {date}',
        '',
        f'- adapter: {adapter or "(none: see the adapter stage)"}',
        f'- Vulkan driver: {args.vk_driver_files}',
        f'- PyTorch: {torch_line or "(none)"}',
        f'- wall time: {args.seconds} s' if args.seconds is not None else '- wall time: unknown',
        '',
        '| stage | status | s | |',
        '|---|---|---:|---|',
        *[f"| {s['name']} | {s['status']} | {s['seconds']} | {s['detail']} |" for s in stages],
        '',
        '## Kernel check (test/kernels, GPU vs CPU twin)',
        '',
        kernel_summary or 'not run or no summary (see gpu-bench.log)',
        *(kernel_check['failures'] if kernel_check else []),
        '',
        '## Fused kernel shapes (bench --sweep)',
        '',
        (read(res('sweep.md')) or 'not run or no result (see gpu-bench.log)').strip(),
        '',
        '## Dense template tiles (bench --sweep --sweep-only dense)',
        '',
        (read(res('tiles.md')) or 'not run or no result (see gpu-bench.log)').strip(),
        '',
        '## Matmul: the template\'s shapes and the CPU\'s BLAS (bench --matmul)',
        '',
        (read(res('matmul.md')) or 'not run or no result (see gpu-bench.log)').strip(),
    ]
    for m in args.models.split():
        md += ['', f'## Model {m} (bench --model {m})', '', (read(res(f'bench-{m}.md')) or 'not run or no result (see gpu-bench.log)').strip()]
    with open(os.path.join(args.out, 'gpu-bench.md'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(md) + '\n')
    print(f"wrote {os.path.join(args.out, 'gpu-bench.md')} and gpu-bench.json")


if __name__ == '__main__':
    main()
