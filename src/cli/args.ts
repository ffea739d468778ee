/**
 * Flag parsing for every command: one table per command gives each flag's type, default and help line,
 * so --help, validation and the values can never disagree. Bad input is a UsageError (exit 2) that names
 * the flag and points at --help, as argparse does.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { f32Problem } from '../model/limits.js';

export type FlagSpec =
  | { type: 'int'; help: string; default?: number; min?: number; max?: number; placeholder?: string }
  // A real number: refused where it is 0 or Infinity as the f32 the GPU reads (src/model/limits.ts).
  | { type: 'number'; help: string; default?: number; positive?: boolean; placeholder?: string }
  | { type: 'string'; help: string; default?: string; placeholder?: string }
  | { type: 'choice'; help: string; choices: readonly string[]; default?: string }
  | { type: 'boolean'; help: string };

export type FlagTable = Record<string, FlagSpec>;

type ValueOf<S extends FlagSpec> = S extends { type: 'int' | 'number' } ? number : S extends { type: 'boolean' } ? boolean : string;
export type Flags<T extends FlagTable> = { [K in keyof T]: T[K] extends { default: unknown } | { type: 'boolean' } ? ValueOf<T[K]> : ValueOf<T[K]> | undefined };

export interface CommandSpec<T extends FlagTable> {
  usage: string; // e.g. 'webgpu-softmax train [flags]'
  summary: string;
  flags: T;
  examples?: string[];
}

/** A decimal number as people write it: `64`, `-1`, `0.1`, `.5`, `1e-3`; not ` 64`, `0x2` or `Infinity`. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** camelCase key -> --kebab-case flag */
export const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export function helpText<T extends FlagTable>(spec: CommandSpec<T>): string {
  const rows = Object.entries(spec.flags).map(([key, f]) => {
    const value = f.type === 'boolean' ? '' : f.type === 'choice' ? ` ${f.choices.join('|')}` : ` ${('placeholder' in f && f.placeholder) || (f.type === 'string' ? 'VALUE' : 'N')}`;
    const def = 'default' in f && f.default !== undefined ? ` (default ${f.default})` : '';
    return [`  ${flagName(key)}${value}`, `${f.help}${def}`];
  });
  rows.push(['  -h, --help', 'show this help']);
  const width = Math.max(...rows.map(([a]) => a.length)) + 2;
  const lines = [`usage: ${spec.usage}`, '', spec.summary, '', 'flags:', ...rows.map(([a, b]) => a.padEnd(width) + b)];
  if (spec.examples?.length) lines.push('', 'examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

/** Keys of the flags that appear in argv (as `--flag value` or `--flag=value`), as opposed to defaults. */
export function givenFlags<T extends FlagTable>(spec: CommandSpec<T>, argv: string[]): Set<keyof T> {
  return new Set(Object.keys(spec.flags).filter((key) => argv.some((a) => a === flagName(key) || a.startsWith(`${flagName(key)}=`))));
}

/** The end of every usage error: (see `webgpu-softmax data download --help`). */
export function usageHint(spec: { usage: string }): string {
  const words = spec.usage.split(' ');
  const command = words.slice(0, Math.max(2, words.findIndex((w) => /^[-[]/.test(w)))).join(' ');
  return `(see \`${command} --help\`)`;
}

/** Parses argv for a command. Returns null when --help was asked for (after printing it). */
export function parseFlags<T extends FlagTable>(spec: CommandSpec<T>, argv: string[], print: (s: string) => void): Flags<T> | null {
  const hint = usageHint(spec);
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [key, f] of Object.entries(spec.flags)) options[flagName(key).slice(2)] = { type: f.type === 'boolean' ? 'boolean' : 'string' };
  // `--lr -0.1` is a flag and a negative number, not two flags: join them so the range check can speak.
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (argv[i].startsWith('--') && options[argv[i].slice(2)]?.type === 'string' && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      joined.push(`${argv[i]}=${next}`);
      i++;
    } else joined.push(argv[i]);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: joined, options, strict: true, allowPositionals: false });
  } catch (err) {
    const msg = (err as Error).message
      .replace(/\. To specify a positional argument.*$/s, '')
      .replace(/^Unknown option '(.*?)'.*$/s, 'unknown flag $1')
      .replace(/^Option '(--[\w-]+).*' argument missing$/s, '$1 needs a value')
      // `--out --limit 10`: the value is missing, or one starting with a dash was meant.
      .replace(/^Option '(--[\w-]+)' argument is ambiguous\..*$/s, '$1 needs a value (to give one that starts with "-", write $1=VALUE)')
      .replace(/^Option '(--[\w-]+)' does not take an argument$/s, '$1 takes no value')
      .replace(/\s*\n\s*/g, ' '); // any other text of parseArgs: still one line
    throw new UsageError(`${msg} ${hint}`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) {
    print(helpText(spec));
    return null;
  }
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(spec.flags)) {
    const name = flagName(key);
    const raw = values[name.slice(2)];
    if (f.type === 'boolean') {
      out[key] = raw === true;
      continue;
    }
    if (raw === undefined) {
      out[key] = 'default' in f ? f.default : undefined;
      continue;
    }
    const text = String(raw);
    // `--out "$UNSET"` passes an empty string: a mistake, never a value to ignore or to use.
    if (text === '') throw new UsageError(`${name} needs a value, got an empty string (an unset shell variable?) ${hint}`);
    if (f.type === 'string') out[key] = text;
    else if (f.type === 'choice') {
      if (!f.choices.includes(text)) throw new UsageError(`${name} must be one of ${f.choices.join(', ')}, got "${text}" ${hint}`);
      out[key] = text;
    } else {
      // Plain decimal only: Number() would also take " 64", "0x2", "0b1" and "0o7".
      const n = DECIMAL.test(text) ? Number(text) : NaN;
      if (!Number.isFinite(n)) throw new UsageError(`${name} needs a number, got "${text}" ${hint}`);
      if (f.type === 'int') {
        if (!Number.isInteger(n)) throw new UsageError(`${name} needs a whole number, got "${text}" ${hint}`);
        if (f.min !== undefined && n < f.min) throw new UsageError(`${name} must be at least ${f.min}, got ${n} ${hint}`);
        if (f.max !== undefined && n > f.max) throw new UsageError(`${name} must be at most ${f.max}, got ${n} ${hint}`);
      } else {
        if (f.positive && !(n > 0)) throw new UsageError(`${name} must be greater than 0, got ${n} ${hint}`);
        // Real-valued flags are hyper-parameters the shaders read as f32 (src/model/limits.ts).
        const problem = f32Problem(n);
        if (problem) throw new UsageError(`${name} ${problem} ${hint}`);
      }
      out[key] = n;
    }
  }
  return out as Flags<T>;
}
