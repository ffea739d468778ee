/**
 * The models' option schemas (src/model/options.ts) are the one place an option is declared: the spec's checks
 * (parseOptions, with the one-line ModelOptionError messages), the CLI's flags and help lines (cli/option_flags.ts)
 * and the page's fields (web/settings.ts) are all made from them. No GPU.
 */
import { describe, expect, it } from 'vitest';
import { helpText } from '../../src/cli/args.js';
import { givenModelOptions, modelOptionFlags } from '../../src/cli/option_flags.js';
import { trainSpec } from '../../src/cli/train.js';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_SHAPE } from '../../src/data/dataset.js';
import { ModelOptionError, UsageError } from '../../src/errors.js';
import type { ModelDefinition, ModelOptions } from '../../src/model/model.js';
import { ACTIVATION, isSettable, type OptionSchemas, parseOptions, POOL, RESIZE, schemaConflict, type SettableOption, sharedOptions } from '../../src/model/options.js';
import { MODELS, modelDefinition } from '../../src/model/registry.js';
import { optionFields } from '../../src/web/settings.js';

/** What a spec of `definition` with `options` throws (its message), or null. */
function refusal(definition: ModelDefinition, options: ModelOptions): string | null {
  try {
    definition.spec(FASHION_MNIST_SHAPE, FASHION_MNIST_CLASSES, options);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(ModelOptionError);
    return (err as Error).message;
  }
}

/** A value option `schema` refuses, and the message it refuses it with, as the schema's limits say it. */
function badValue(name: string, schema: SettableOption): [ModelOptions[string], string] {
  const ref = `modelOptions.${name}`;
  switch (schema.kind) {
    case 'choice':
      return ['nope', `${ref} must be one of ${schema.choices.join(', ')}, not "nope"`];
    case 'integer':
      return [schema.max + 1, `${ref} must be a whole number from ${schema.min} to ${schema.max}, not ${schema.max + 1}`];
    case 'number':
      return [schema.min - 1, `${ref} must be a number >= ${schema.min}, not ${schema.min - 1}`];
    case 'integers':
      return [String(schema.max + 1), `${ref} ${schema.each} must be whole numbers from ${schema.min} to ${schema.max}, not ${schema.max + 1}`];
    case 'probabilities':
      return ['1', `${ref} probabilities must be at least 0 and below 1, not 1`];
  }
}

/** The --help line of `flag` in `text`, or undefined. */
const helpLine = (text: string, flag: string) => text.split('\n').find((line) => new RegExp(`^\\s+${flag}(\\s|$)`).test(line));

const SCHEMAS = {
  activation: ACTIVATION,
  layers: { kind: 'integers', min: 1, max: 10, count: { min: 1, max: 3, what: 'layer widths' }, each: 'widths', default: [4], metavar: 'N[,N...]', label: 'Layers', help: 'widths' },
  dropout: { kind: 'probabilities', per: { option: 'layers', each: 'layer' }, metavar: 'P[,P...]', placeholder: 'none', label: 'Dropout', help: 'dropout' },
  decay: { kind: 'number', min: 0, default: 0.5, metavar: 'L', label: 'Decay', help: 'decay' },
  resize: { ...RESIZE, default: 96 },
} as const satisfies OptionSchemas;

describe('parseOptions', () => {
  it("gives each option in the schemas' order, its default where not given, and normalises what the CLI, the page and the library give", () => {
    const plain = parseOptions('m', SCHEMAS, {});
    expect(Object.keys(plain)).toEqual(['activation', 'layers', 'dropout', 'decay', 'resize']);
    expect(plain).toEqual({ activation: 'sigmoid', layers: [4], dropout: [0], decay: 0.5, resize: 96 });
    // The CLI's and page's text for lists and whole numbers, a single number for a list, the library's arrays.
    expect(parseOptions('m', SCHEMAS, { activation: 'relu', layers: '3, 5', dropout: [0.1, 0.2], decay: 0, resize: '32' })).toEqual({ activation: 'relu', layers: [3, 5], dropout: [0.1, 0.2], decay: 0, resize: 32 });
    expect(parseOptions('m', SCHEMAS, { layers: 7 }).layers).toEqual([7]);
  });

  it('refuses each bad value in one line naming the option as the library takes it', () => {
    const cases: Array<[ModelOptions, string]> = [
      [{ size: 3 }, 'model m takes no option modelOptions.size (it takes modelOptions.activation, modelOptions.layers, modelOptions.dropout, modelOptions.decay, modelOptions.resize)'],
      [{ activation: 'tanh' }, 'modelOptions.activation must be one of sigmoid, relu, not "tanh"'],
      [{ layers: '1,x' }, 'modelOptions.layers must be a comma-separated list of numbers (or an array of numbers), not "1,x"'],
      [{ layers: ['1'] as unknown as number[] }, 'modelOptions.layers must be an array of numbers, not ["1"]'],
      [{ layers: '1,2,3,4' }, 'modelOptions.layers must name 1 to 3 layer widths, not 4'],
      [{ layers: '11' }, 'modelOptions.layers widths must be whole numbers from 1 to 10, not 11'],
      [{ layers: '2,3', dropout: '0.5' }, 'modelOptions.dropout needs one probability per layer: 2 for modelOptions.layers 2,3, not 1'],
      [{ dropout: '1' }, 'modelOptions.dropout probabilities must be at least 0 and below 1, not 1'],
      [{ dropout: 1e-50 }, "modelOptions.dropout 1e-50 is 0 in the GPU's 32-bit floats (the smallest they hold reliably is 1.2e-38)"],
      [{ decay: '0.1' }, 'modelOptions.decay must be a number >= 0, not "0.1"'],
      [{ decay: 1e39 }, "modelOptions.decay 1e+39 is Infinity in the GPU's 32-bit floats (the largest they hold is 3.4e38)"],
      [{ resize: 449 }, 'modelOptions.resize must be a whole number from 1 to 448, not 449'],
      [{ resize: 2.5 }, 'modelOptions.resize must be a whole number from 1 to 448, not 2.5'],
    ];
    for (const [options, message] of cases) expect(() => parseOptions('m', SCHEMAS, options), JSON.stringify(options)).toThrow(new ModelOptionError(message));
  });
});

describe("the registry's option schemas", () => {
  it('declare a name alike in every model that reads it (one flag, one field), each choice with its default first', () => {
    const conflicts: string[] = [];
    const first = new Map<string, { kind: string; schema: SettableOption }>();
    for (const m of MODELS) {
      for (const [name, schema] of Object.entries(m.options)) {
        expect(isSettable(schema), `${m.kind} ${name}`).toBe(true);
        if (!isSettable(schema)) continue;
        if (schema.kind === 'choice') expect(schema.choices[0], `${m.kind} ${name}`).toBe(schema.default);
        const seen = first.get(name);
        const conflict = seen && schemaConflict(name, seen.schema, schema);
        if (conflict) conflicts.push(`${seen.kind} and ${m.kind}: ${conflict}`);
        if (!seen) first.set(name, { kind: m.kind, schema });
      }
    }
    expect(conflicts).toEqual([]);
    // The check itself: a different limit is a conflict, a different default is not.
    expect(schemaConflict('resize', RESIZE, { ...RESIZE, default: 224 })).toBeNull();
    expect(schemaConflict('resize', RESIZE, { ...RESIZE, max: 64 })).toMatch(/^option resize is declared two ways/);
    expect(schemaConflict('pool', POOL, ACTIVATION)).not.toBeNull();
  });
});

describe("a model's option schema drives the CLI, the page and its spec", () => {
  const trainHelp = helpText(trainSpec);
  const fields = optionFields();
  for (const m of MODELS) {
    it(`${m.kind}: a flag and a field for each option, and its spec refuses a bad value with the schema's message`, () => {
      for (const [name, schema] of Object.entries(m.options)) {
        if (!isSettable(schema)) continue;
        const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
        // The CLI: a flag whose help is the schema's, ending with the models that read it.
        const line = helpLine(trainHelp, flag);
        expect(line, `train --help lists ${flag}`).toBeDefined();
        expect(line).toContain(schema.help);
        expect(/\[([^\]]+)\]$/.exec(line!.trim())?.[1].split(', '), `${flag} is read by ${m.kind}`).toContain(m.kind);
        if (schema.kind === 'choice') expect(line).toContain(`${flag} ${schema.choices.join('|')} `);
        // The page: a field with the schema's caption, tooltip and choices.
        const field = fields.find((f) => f.name === name);
        expect(field, `the page has a field for ${name}`).toMatchObject({ label: schema.label, title: schema.help });
        if (schema.kind === 'choice') expect(field!.choices).toEqual(schema.choices);
        if (schema.kind === 'integer') expect(field).toMatchObject({ input: 'number', step: '1', min: schema.min, max: schema.max });
        // The spec: the schema's limits, in the schema's words.
        const [value, message] = badValue(name, schema);
        expect(refusal(m, { [name]: value }), `${m.kind} ${name} ${JSON.stringify(value)}`).toBe(message);
      }
    });
  }

  it('an option declared in a new schema gets its flag, its help line and its field with no other change', () => {
    const stand: ModelDefinition = { ...modelDefinition('lenet'), kind: 'stand-in', options: { depth: { kind: 'integer', min: 2, max: 5, default: 3, label: 'Depth', help: 'blocks per stage (default 3)' } } };
    const models = [...MODELS, stand];
    expect(sharedOptions(models).find((o) => o.name === 'depth')?.kinds).toEqual(['stand-in']);
    const flags = modelOptionFlags(models);
    expect(flags.depth).toEqual({ type: 'int', min: 2, max: 5, placeholder: 'N', help: 'blocks per stage (default 3) [stand-in]' });
    expect(helpLine(helpText({ usage: 'x', summary: '', flags }), '--depth')).toMatch(/^\s+--depth N\s+blocks per stage \(default 3\) \[stand-in\]$/);
    expect(optionFields(models).find((f) => f.name === 'depth')).toEqual({ name: 'depth', label: 'Depth', title: 'blocks per stage (default 3)', input: 'number', step: '1', min: 2, max: 5, placeholder: '3' });
    // The flag reaches only a model that reads it; the others refuse it, naming what they take.
    expect(givenModelOptions(stand, Object.keys(flags), { depth: 4, hidden: undefined }, '(see --help)')).toEqual({ depth: 4 });
    expect(() => givenModelOptions(modelDefinition('mlp'), Object.keys(flags), { depth: 4 }, '(see --help)')).toThrow(
      new UsageError('model mlp has no option --depth (it takes --hidden, --dropout, --weight-decay) (see --help)'),
    );
  });
});
