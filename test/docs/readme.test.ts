/**
 * The README's promises that code can check: it stays a front door (at most 250 lines), keeps the two commands,
 * names only flags the CLI has (each in the `--help` of the command its row names, a model's own flags read by
 * that model), has a row for every registered model with the book's lr and epochs as the registry holds them, and
 * links only to files that exist. Reads the compiled CLI (dist/, built by the global setup).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MODEL_KINDS, modelDefinition } from '../../src/model/registry.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The text of the README's section `## title`, up to the next `## `. */
function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`);
  expect(start, `README.md has a "## ${title}" section`).toBeGreaterThan(-1);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end === -1 ? undefined : end);
}

/** `webgpu-softmax ...words --help`, as a user runs it. */
function help(words: string[]): string {
  const run = spawnSync(process.execPath, ['dist/src/cli/main.js', ...words, '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  expect(run.status, `${words.join(' ')} --help: ${run.stderr}`).toBe(0);
  return run.stdout;
}

/** The help's line for `flag` (its first column), or undefined. */
const helpLine = (text: string, flag: string) => text.split('\n').find((line) => new RegExp(`^\\s+(-\\w, )?${flag}(\\s|$)`).test(line));

/** The rows of the markdown tables in `text`, as cells (escaped pipes kept inside their cell). */
const rows = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('|---'))
    .map((line) => line.slice(2, -2).split(/ (?<!\\)\| /));

const flagsIn = (text: string) => [...new Set(text.match(/(?<![\w-])--[a-z][a-z-]*/g) ?? [])];

describe('README.md', () => {
  it('is a front door: at most 250 lines', () => {
    expect(README.split('\n').length).toBeLessThanOrEqual(250);
  });

  it('keeps the two commands that take a fresh machine to training and to the tests', () => {
    expect(README).toContain('\nbash tools/install-system.sh && npm ci && npm run train\n');
    expect(README).toContain('\nbash tools/install-system.sh --with-chromium && npm ci && npm test\n');
  });

  it("names in its CLI table only flags that the row's command lists in --help", () => {
    const commands = rows(section('The CLI')).filter((cells) => cells.length === 2 && cells[0].startsWith('`'));
    expect(commands.length).toBeGreaterThanOrEqual(6);
    const wrong: string[] = [];
    for (const [name, what] of commands) {
      const words = name.replace(/`/g, '').split(' ');
      const firstFlag = words.findIndex((w) => w.startsWith('--'));
      const command = firstFlag === -1 ? words : words.slice(0, firstFlag);
      const text = help(command);
      for (const flag of flagsIn(`${name} ${what}`)) if (!helpLine(text, flag)) wrong.push(`${command.join(' ')} ${flag}`);
    }
    expect(wrong).toEqual([]);
  });

  it('names nowhere in its CLI section a flag that no command has', () => {
    const all = ['train', 'eval', 'info', 'sheet', 'data download', 'data preview', 'kernels'].map((c) => help(c.split(' '))).join('\n');
    expect(flagsIn(section('The CLI')).filter((flag) => !helpLine(all, flag))).toEqual([]);
  });

  it("has a row for every registered model, with the registry's lr and epochs and only flags that model reads", () => {
    const models = rows(section('The CLI')).filter((cells) => cells.length === 5 && /^`[a-z][a-z0-9-]*`$/.test(cells[0]));
    expect(models.map(([kind]) => kind.replace(/`/g, ''))).toEqual([...MODEL_KINDS]);
    const trainHelp = help(['train']);
    for (const [kind, , , defaults, flags] of models) {
      const definition = modelDefinition(kind.replace(/`/g, ''));
      const [lr, epochs] = defaults.match(/[\d.]+/g)!.map(Number);
      expect({ kind: definition.kind, lr, epochs }).toEqual({ kind: definition.kind, lr: definition.defaults.lr, epochs: definition.defaults.epochs });
      for (const flag of flagsIn(flags)) {
        const line = helpLine(trainHelp, flag);
        expect(line, `train --help lists ${flag}`).toBeDefined();
        expect(/\[([^\]]+)\]$/.exec(line!.trim())?.[1].split(', '), `${flag} is read by ${definition.kind}`).toContain(definition.kind);
      }
    }
  });

  it('links only to files that exist', () => {
    const targets = [...README.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)|src="([^"]+)"/g)].map((m) => m[1] ?? m[3]).filter((t) => !/^https?:/.test(t));
    expect(targets.length).toBeGreaterThan(5);
    expect(targets.filter((t) => !existsSync(join(ROOT, t)))).toEqual([]);
  });

  it("names in its map of the code only folders and files that exist", () => {
    const map = /```\nshaders\/[\s\S]*?```/.exec(README)?.[0] ?? '';
    const paths = [...map.matchAll(/^([\w.-]+\/?\S*)\s/gm)].map((m) => m[1]);
    expect(paths.length).toBeGreaterThan(10);
    expect(paths.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });
});
