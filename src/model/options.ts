/**
 * A model's options, declared once. Each ModelDefinition lists what it reads as schemas (`options`): the CLI's
 * flags and their help lines (cli/option_flags.ts), the page's fields (web/settings.ts) and the check of every
 * value a caller gives (`parseOptions`, run by each model's `spec`) are all made from them. The options more than
 * one model may read are declared here and listed by reference. The CLI and the page show one flag or field per
 * name, so the models that read a name declare it alike (only the default may differ: `--resize` is the book's
 * side for each model).
 *
 * Values arrive as the library's caller gives them, or as the CLI and the page do: numbers as numbers (their
 * flags and fields read the digits) and lists as the text typed ("256,256"). No Node APIs.
 */
import { ModelOptionError, optionRef } from '../errors.js';
import type { SequentialDecl } from '../nn/declare.js';
import { f32Problem } from './limits.js';
import type { ModelOptions } from './model.js';

/** What every option a person sets says of itself. */
interface Described {
  /** One line for --help (the CLI adds the models that read it) and the page field's tooltip: what it does, and what it is when not given. */
  help: string;
  /** The page field's caption. */
  label: string;
}

/** One of a few words (a flag with the words in its help; a select on the page). */
export interface ChoiceOption<C extends string = string> extends Described {
  /** Which kind of option it is. */
  kind: 'choice';
  /** The words it takes, its default first (what an untouched select on the page gives). */
  choices: readonly C[];
  /** The word when not given. */
  default: C;
}

/** A whole number from `min` to `max` (a number, or its digits as text). */
export interface IntegerOption extends Described {
  /** Which kind of option it is. */
  kind: 'integer';
  /** The smallest it takes. */
  min: number;
  /** The largest it takes. */
  max: number;
  /** The number when not given. */
  default: number;
  /** What an empty page field means, where the default does not say it (a default that differs by model). */
  placeholder?: string;
}

/** A real number at least `min`, which the GPU reads as an f32 (a number only: "0.1" from plain JavaScript is a slip). */
export interface NumberOption extends Described {
  /** Which kind of option it is. */
  kind: 'number';
  /** The smallest it takes. */
  min: number;
  /** The number when not given. */
  default: number;
  /** The value's name in --help (e.g. LAMBDA). */
  metavar: string;
}

/** A list of whole numbers from `min` to `max` (an array, one number, or "256,256"). */
export interface IntegerListOption extends Described {
  /** Which kind of option it is. */
  kind: 'integers';
  /** The smallest entry it takes. */
  min: number;
  /** The largest entry it takes. */
  max: number;
  /** How many entries it takes. */
  count: {
    /** The fewest entries. */
    min: number;
    /** The most entries. */
    max: number;
    /** The entries, in the message about their number (e.g. 'hidden layer sizes'). */
    what: string;
  };
  /** The entries' name in the message about a bad one (e.g. 'sizes'). */
  each: string;
  /** The list when not given. */
  default: readonly number[];
  /** The value's name in --help (e.g. N[,N...]). */
  metavar: string;
}

/** Probabilities in [0, 1), one per entry of an earlier list option (`per`); 0 for each where not given. */
export interface ProbabilityListOption extends Described {
  /** Which kind of option it is. */
  kind: 'probabilities';
  /** The list option it follows. */
  per: {
    /** That option's name (declared before this one), e.g. 'hidden'. */
    option: string;
    /** What one of its entries is, in messages (e.g. 'hidden layer'). */
    each: string;
  };
  /** The value's name in --help (e.g. P[,P...]). */
  metavar: string;
  /** What an empty page field means (e.g. 'none'). */
  placeholder: string;
}

/** A network written in code (nn.Sequential): the library's `modelOptions.net` only, with no flag and no page field. */
export interface NetworkOption {
  /** Which kind of option it is. */
  kind: 'network';
  /** One line on what it is. */
  help: string;
}

/** One option a model reads: its kind, limits, default and the words the CLI and the page show. */
export type OptionSchema = ChoiceOption | IntegerOption | NumberOption | IntegerListOption | ProbabilityListOption | NetworkOption;

/** The options a person can set by flag or field (all but a network written in code). */
export type SettableOption = Exclude<OptionSchema, NetworkOption>;

/** A model's options by the name its spec reads them under (camelCase; the CLI's --kebab-case flag), in the order its spec stores them. */
export type OptionSchemas = Readonly<Record<string, OptionSchema>>;

/** The value an option of schema `S` has in a spec. */
export type OptionValue<S extends OptionSchema> = S extends ChoiceOption<infer C>
  ? C
  : S extends IntegerOption | NumberOption
    ? number
    : S extends IntegerListOption | ProbabilityListOption
      ? number[]
      : SequentialDecl;

/** The options of a spec, as `parseOptions` returns them for `schemas`. */
export type OptionValues<S extends OptionSchemas> = { -readonly [K in keyof S]: OptionValue<S[K]> };

/** Whether a person can set option `schema` by a flag or a page field. */
export const isSettable = (schema: OptionSchema): schema is SettableOption => schema.kind !== 'network';

// The options several models read (or could): listed by reference in each model's `options`.

/** The activation after each hidden layer (LeNet's sigmoid, as the book; or ReLU). */
export const ACTIVATION: ChoiceOption<'sigmoid' | 'relu'> = {
  kind: 'choice',
  choices: ['sigmoid', 'relu'],
  default: 'sigmoid',
  label: 'Activation',
  help: "activation after each hidden layer (default sigmoid, the book's)",
};

/** The pooling after each convolution (LeNet's average, as the book; or max). */
export const POOL: ChoiceOption<'avg' | 'max'> = {
  kind: 'choice',
  choices: ['avg', 'max'],
  default: 'avg',
  label: 'Pooling',
  help: "pooling (default avg, the book's)",
};

/** The largest side --resize takes (AlexNet's 224 doubled). */
export const MAX_RESIZE = 448;

/** The side the images are resized to as they are read (chapter 7's models; each gives the book's side as its default). */
export const RESIZE: IntegerOption = {
  kind: 'integer',
  min: 1,
  max: MAX_RESIZE,
  default: 28,
  label: 'Resize to',
  placeholder: "the book's",
  help: "resize the images to NxN on the GPU as they are read (bilinear, as transforms.Resize; default the book's, 28 = none)",
};

/** The divisor of every convolution's channels (the book trains VGG with 4). */
export const WIDTH_DIVISOR: IntegerOption = {
  kind: 'integer',
  min: 1,
  max: 64,
  default: 4,
  label: 'Width divisor',
  help: "divide every convolution's channels by N (default 4, as the book trains VGG)",
};

/** A list option as given: "256,256" from a flag or field, one number, or already an array (the library, a checkpoint). */
function numberList(name: string, value: unknown): number[] {
  if (Array.isArray(value)) {
    if (!value.every((v) => typeof v === 'number')) throw new ModelOptionError(`${optionRef(name)} must be an array of numbers, not ${JSON.stringify(value)}`);
    return [...value];
  }
  if (typeof value === 'number') return [value];
  if (typeof value !== 'string' || value.trim() === '') throw new ModelOptionError(`${optionRef(name)} must be a comma-separated list of numbers (or an array of numbers), not ${JSON.stringify(value)}`);
  return value.split(',').map((part) => {
    const v = Number(part.trim());
    if (part.trim() === '' || !Number.isFinite(v)) throw new ModelOptionError(`${optionRef(name)} must be a comma-separated list of numbers (or an array of numbers), not "${value}"`);
    return v;
  });
}

/** `value` reaches the shaders as an f32: a ModelOptionError where it would be 0 or Infinity there. */
function checkF32(name: string, value: number): void {
  const problem = f32Problem(value);
  if (problem) throw new ModelOptionError(`${optionRef(name)} ${problem}`);
}

/** Option `name` of schema `schema` from `value` (undefined: not given), given the options before it (`earlier`). */
function optionValue(name: string, schema: SettableOption, value: unknown, earlier: Record<string, unknown>): string | number | number[] {
  const ref = optionRef(name);
  switch (schema.kind) {
    case 'choice': {
      if (value === undefined) return schema.default;
      if (!schema.choices.includes(value as string)) throw new ModelOptionError(`${ref} must be one of ${schema.choices.join(', ')}, not ${JSON.stringify(value)}`);
      return value as string;
    }
    case 'integer': {
      if (value === undefined) return schema.default;
      const v = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < schema.min || v > schema.max) throw new ModelOptionError(`${ref} must be a whole number from ${schema.min} to ${schema.max}, not ${JSON.stringify(value)}`);
      return v;
    }
    case 'number': {
      const v = value === undefined ? schema.default : typeof value === 'number' ? value : NaN;
      if (!(Number.isFinite(v) && v >= schema.min)) throw new ModelOptionError(`${ref} must be a number >= ${schema.min}, not ${JSON.stringify(value)}`);
      checkF32(name, v);
      return v;
    }
    case 'integers': {
      const list = value === undefined ? [...schema.default] : numberList(name, value);
      const { count } = schema;
      if (list.length < count.min || list.length > count.max) throw new ModelOptionError(`${ref} must name ${count.min} to ${count.max} ${count.what}, not ${list.length}`);
      const bad = list.find((v) => !Number.isInteger(v) || v < schema.min || v > schema.max);
      if (bad !== undefined) throw new ModelOptionError(`${ref} ${schema.each} must be whole numbers from ${schema.min} to ${schema.max}, not ${bad}`);
      return list;
    }
    case 'probabilities': {
      const of = earlier[schema.per.option] as number[];
      const list = value === undefined ? of.map(() => 0) : numberList(name, value);
      if (list.length !== of.length) {
        throw new ModelOptionError(`${ref} needs one probability per ${schema.per.each}: ${of.length} for ${optionRef(schema.per.option)} ${of.join(',')}, not ${list.length}`);
      }
      const bad = list.find((p) => !(p >= 0 && p < 1));
      if (bad !== undefined) throw new ModelOptionError(`${ref} probabilities must be at least 0 and below 1, not ${bad}`);
      for (const p of list) checkF32(name, p);
      return list;
    }
  }
}

/**
 * The options of a model `kind` reading `schemas`, as its spec stores them: each in the schemas' order, checked
 * and normalised from what the caller gave, its default where not given. Each problem is one ModelOptionError
 * naming the option as the library takes it (optionRef: `modelOptions.KEY`; the CLI and the page rename it).
 */
export function parseOptions<S extends OptionSchemas>(kind: string, schemas: S, options: ModelOptions): OptionValues<S> {
  const names = Object.keys(schemas);
  const unknown = Object.keys(options).filter((k) => !names.includes(k));
  if (unknown.length > 0) {
    const takes = names.length > 0 ? `it takes ${names.map(optionRef).join(', ')}` : 'it takes none';
    throw new ModelOptionError(`model ${kind} takes no option ${unknown.map(optionRef).join(', ')} (${takes})`);
  }
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(schemas)) {
    if (!isSettable(schema)) throw new ModelOptionError(`model ${kind}: option ${optionRef(name)} is a network written in code, which parseOptions does not read`);
    values[name] = optionValue(name, schema, options[name], values);
  }
  return values as OptionValues<S>;
}

/** One option name any of `models` reads: its schema (the first model's) and the models that read it. */
export interface SharedOption {
  /** The name specs read it under. */
  name: string;
  /** Its schema, as the first model reading it declares it. */
  schema: SettableOption;
  /** The kinds of the models that read it, in the models' order. */
  kinds: string[];
}

/** Every settable option `models` read, once each, in the order the models first declare them (the CLI's flags, the page's fields). */
export function sharedOptions(models: readonly { kind: string; options: OptionSchemas }[]): SharedOption[] {
  const byName = new Map<string, SharedOption>();
  for (const model of models) {
    for (const [name, schema] of Object.entries(model.options)) {
      if (!isSettable(schema)) continue;
      const shared = byName.get(name);
      if (shared) shared.kinds.push(model.kind);
      else byName.set(name, { name, schema, kinds: [model.kind] });
    }
  }
  return [...byName.values()];
}

/** Where two models declare option `name` unlike each other (anything but the default differs), a line saying so; else null. */
export function schemaConflict(name: string, a: OptionSchema, b: OptionSchema): string | null {
  const strip = (s: OptionSchema) => JSON.stringify({ ...s, default: undefined });
  return strip(a) === strip(b) ? null : `option ${name} is declared two ways: ${strip(a)} and ${strip(b)}`;
}
