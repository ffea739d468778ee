/**
 * The models' options as flags (train, summary): one flag per option name the models read, made from its schema
 * (model/options.ts): its type, limits, value name and help line, which ends with the models that read it. The
 * values given go to the model's own spec, which checks them; a model refuses a flag it does not read.
 */
import { UsageError } from '../errors.js';
import type { ModelDefinition, ModelOptions } from '../model/model.js';
import { isSettable, type SettableOption, sharedOptions } from '../model/options.js';
import { type FlagSpec, flagName } from './args.js';

/** The flag of an option of schema `schema`, its help ending with the models that read it: [mlp-scratch, mlp]. */
function optionFlag(schema: SettableOption, kinds: readonly string[]): FlagSpec {
  const help = `${schema.help} [${kinds.join(', ')}]`;
  switch (schema.kind) {
    case 'choice':
      return { type: 'choice', choices: schema.choices, help };
    case 'integer':
      return { type: 'int', min: schema.min, max: schema.max, placeholder: 'N', help };
    case 'number':
      return { type: 'number', placeholder: schema.metavar, help };
    case 'integers':
    case 'probabilities':
      // The list is the model's to read: the text goes to its spec as typed.
      return { type: 'string', placeholder: schema.metavar, help };
  }
}

/** The flags of every option `models` read, one per name, in the order the models first declare them (no default: given or not is what counts). */
export function modelOptionFlags(models: readonly ModelDefinition[]): Record<string, FlagSpec> {
  return Object.fromEntries(sharedOptions(models).map((o) => [o.name, optionFlag(o.schema, o.kinds)]));
}

/**
 * The model options among parsed `flags` (`names`: the keys of modelOptionFlags) as `definition`'s spec takes
 * them; a UsageError naming the flags given that it does not read. `hint`: the end of the message, e.g.
 * (see `webgpu-softmax train --help`).
 */
export function givenModelOptions(definition: ModelDefinition, names: readonly string[], flags: object, hint: string): ModelOptions {
  const values = flags as Record<string, unknown>;
  const given = names.filter((name) => values[name] !== undefined);
  const reads = Object.entries(definition.options).filter(([, schema]) => isSettable(schema)).map(([name]) => name);
  const foreign = given.filter((name) => !reads.includes(name));
  if (foreign.length > 0) {
    const takes = reads.length > 0 ? `it takes ${reads.map(flagName).join(', ')}` : 'it takes none';
    throw new UsageError(`model ${definition.kind} has no option ${foreign.map(flagName).join(', ')} (${takes}) ${hint}`);
  }
  return Object.fromEntries(given.map((name) => [name, values[name] as string | number]));
}
