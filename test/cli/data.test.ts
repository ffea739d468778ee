import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SYSTEM_DATA_DIR } from '../../src/data/node.js';
import { runCli } from './run.js';

// `data download` end to end against a mirror on 127.0.0.1 serving Debian's copies of the real files, so the
// real SHA-256 table (of the decompressed bytes) is what gets checked.
describe.runIf(existsSync(SYSTEM_DATA_DIR))('webgpu-softmax data download', () => {
  it('downloads, verifies, and on a second run keeps the verified files', async () => {
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const file = join(SYSTEM_DATA_DIR, (req.url ?? '').replace(/^\//, ''));
      if (!/^\/[a-z0-9-]+-ubyte\.gz$/.test(req.url ?? '') || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const dir = mkdtempSync(join(tmpdir(), 'fmnist-download-'));
    try {
      const first = await runCli(['data', 'download', '--url', url, '--dir', dir, '--json']);
      expect(first.code, first.stderr).toBe(0);
      expect(readdirSync(dir).sort()).toEqual(['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']);
      expect(requests).toHaveLength(4);
      const second = await runCli(['data', 'download', '--url', url, '--dir', dir]);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/present and verified/);
      expect(requests).toHaveLength(4); // nothing fetched again
      // The downloaded copy is a dataset the trainer accepts.
      const r = await runCli(['train', '--data', dir, '--limit', '512', '--epochs', '1', '--json']);
      expect(r.code, r.stderr).toBe(0);
    } finally {
      server.close();
    }
  });
});
