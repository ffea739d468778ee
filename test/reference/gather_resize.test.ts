/**
 * gather_resize's CPU twin (src/reference/gather_resize.ts) against PyTorch itself, through Debian's
 * /usr/bin/python3 with torch (skipped where it is missing). Here rather than beside the kernel's test because
 * test/kernels/ also runs in the page (src/web/check), which cannot spawn a process.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { gatherResize } from '../../src/reference/gather_resize.js';
import { Rng } from '../../src/random.js';
import { expectClose, randomPixels } from '../kernels/harness.js';

const HAS_TORCH = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

// The twin against PyTorch itself: F.interpolate(images / 255, size, mode='bilinear', align_corners=False), what
// the book's transforms.Resize then ToTensor compute on tensors, in f32: within 1e-6 of the /255 value.
describe('the twin of gather_resize equals PyTorch', () => {
  it.skipIf(!HAS_TORCH)('F.interpolate(bilinear, align_corners=False) on 4 images to 224, 96, 33 and 9 px', () => {
    const rng = new Rng(7);
    const images = randomPixels(rng, 4 * 784);
    const sizes = [224, 96, 33, 9];
    const script = [
      'import json, sys, torch',
      'import torch.nn.functional as F',
      'a = json.load(sys.stdin)',
      'x = torch.tensor(a["images"], dtype=torch.uint8).reshape(4, 1, 28, 28).float() / 255',
      'print(json.dumps([F.interpolate(x, size=(s, s), mode="bilinear", align_corners=False).flatten().tolist() for s in a["sizes"]]))',
    ].join('\n');
    const run = spawnSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify({ images: Array.from(images), sizes }), encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(run.status, run.stderr).toBe(0);
    const torchValues = JSON.parse(run.stdout) as number[][];
    sizes.forEach((s, i) => {
      const twin = gatherResize(images, [0, 1, 2, 3], [0, 1, 2, 3], 0, 4, { c: 1, h: 28, w: 28, ho: s, wo: s });
      expectClose(twin.x, torchValues[i], { abs: 1e-6 }, `${s} px`);
    });
  });
});
