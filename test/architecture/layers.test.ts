/**
 * The layers of src/ import only downwards:
 *   errors, random -> io -> data -> gpu -> kernels -> model (with nn/, optim/, reference/) -> train -> report -> cli | web
 * (io: Node-only file reads and writes, used by the Node-only modules of the layers above)
 * so a kernel never depends on a model, a model never on the trainer, and nothing below the CLI or the page
 * knows how results are shown. Type-only imports count too: they are the dependencies a reader follows.
 * Above them all, the library: src/lib/ (what the public API adds) and the package's entry modules src/index.ts
 * and src/node.ts, which may import any layer but which no module of src/ imports.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const RANK: Record<string, number> = { errors: 0, random: 0, io: 1, data: 2, gpu: 3, kernels: 4, model: 5, train: 7, report: 8, cli: 9, web: 9, lib: 10, index: 11, node: 11, node_browser: 11 };
/** The package's entry modules (package.json `exports`): nothing imports them, so they never sit inside a cycle or a layer. */
const ENTRIES = ['index', 'node', 'node_browser'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.ts$/.test(name) ? [path] : [];
  });
}

/**
 * Folders that belong to the model layer: the layers a network is declared with (nn/) and the optimizers (optim/)
 * are parts of a model, as torch.nn and torch.optim are, and so are the CPU twins (reference/): a model's definition
 * holds its twin (ModelDefinition.reference), and a twin reads its model's shapes. They import each other and model/ freely.
 */
const PART_OF: Record<string, string> = { nn: 'model', optim: 'model', reference: 'model' };

/** The layer of a file: its folder under src/ (or the layer that folder is part of), or its own name for the top-level modules. */
const layerOf = (path: string) => {
  const top = relative(SRC, path).split(/[\\/]/)[0].replace(/\.(ts|js)$/, '');
  return PART_OF[top] ?? top;
};

describe('src/ imports only from its own layer or the layers below', () => {
  const all = files(SRC);
  it('every layer is known', () => {
    expect([...new Set(all.map(layerOf))].filter((l) => !(l in RANK))).toEqual([]);
  });
  it('no import goes up (or sideways between cli and web)', () => {
    const wrong: string[] = [];
    for (const file of all) {
      const from = layerOf(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const to = layerOf(resolve(dirname(file), m[1]));
        if (ENTRIES.includes(to) || (to !== from && (RANK[to] ?? 99) >= RANK[from])) wrong.push(`${relative(SRC, file)} (${from}) imports ${m[1]} (${to})`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
