/**
 * The hyper-parameter form: reads it into the training loop's options and says, field by field, what is
 * wrong, with the limits the CLI's flags have (TRAINING_LIMITS). The model picker is built from the registry
 * (MODELS) and each option field from the option's schema (ModelDefinition.options, model/options.ts), so a
 * model added there appears here with no page change; its options go to its own `spec` exactly as the CLI
 * passes its flags, and the spec it builds is what trains.
 */
import { FASHION_MNIST_CLASSES, FASHION_MNIST_SHAPE } from '../data/dataset.js';
import { renameOptions } from '../errors.js';
import type { ModelDefinition, ModelOptions, ModelSpec } from '../model/model.js';
import { type SettableOption, sharedOptions } from '../model/options.js';
import { MODELS, modelDefaults, modelDefinition } from '../model/registry.js';
import { TRAINING_LIMITS } from '../train/limits.js';
import type { TrainOptions } from '../train/loop.js';

/**
 * `model`: the kind; `spec`: what the form's options built (the model that trains); `samples`: the training images
 * used; `testSamples`: the test images each evaluation uses (the first ones: fewer is quicker on a slow adapter).
 */
export type Settings = Pick<TrainOptions, 'epochs' | 'lr' | 'batchSize' | 'seed'> & { model: string; spec: ModelSpec; samples: number; testSamples: number };

export type Parsed = { ok: true; settings: Settings } | { ok: false; problems: string[] };

/** How the page asks for one model option: a text field, a number field, or a choice; made from the option's schema. */
export interface OptionField {
  /** The option's name (as the model's spec reads it). */
  name: string;
  /** The field's caption. */
  label: string;
  /** The control: text (lists, typed as the CLI's flags take them), number, or a select. */
  input: 'text' | 'number' | 'choice';
  /** For choices: the values, the first being the models' default. */
  choices?: readonly string[];
  /** For text and number fields: what an empty field means, shown as the placeholder. */
  placeholder?: string;
  /** For number fields: the input's step ('1' for whole numbers, else 'any') and its least and greatest values. */
  step?: string;
  /** For number fields: the least value. */
  min?: number;
  /** For number fields: the greatest value, where there is one. */
  max?: number;
  /** The option's help line (what it does and what it is when empty). */
  title: string;
}

/** The page's field for an option of schema `schema`. */
function fieldOf(name: string, schema: SettableOption): OptionField {
  const common = { name, label: schema.label, title: schema.help };
  switch (schema.kind) {
    case 'choice':
      return { ...common, input: 'choice', choices: schema.choices };
    case 'integer':
      return { ...common, input: 'number', step: '1', min: schema.min, max: schema.max, placeholder: schema.placeholder ?? String(schema.default) };
    case 'number':
      return { ...common, input: 'number', step: 'any', min: schema.min, placeholder: String(schema.default) };
    case 'integers':
      return { ...common, input: 'text', placeholder: schema.default.join(',') };
    case 'probabilities':
      return { ...common, input: 'text', placeholder: schema.placeholder };
  }
}

/** One field per option any of `models` reads, in the order the models first declare them (the models that read a name share its field). */
export function optionFields(models: readonly ModelDefinition[] = MODELS): OptionField[] {
  return sharedOptions(models).map((o) => fieldOf(o.name, o.schema));
}

const FIELDS = optionFields();

/** The form element of option `name`. */
const optionInputName = (name: string) => `option-${name}`;

/** Option names any model in the registry reads, in the fields' order. */
export function allOptionNames(models: readonly ModelDefinition[] = MODELS): string[] {
  return optionFields(models).map((f) => f.name);
}

/** The model's learning rate for `spec`: `defaultLr(spec)` where the definition has one (as the CLI picks it), else its default. */
export function defaultLr(definition: ModelDefinition, spec: ModelSpec | null): number {
  return spec ? modelDefaults(spec).lr : definition.defaults.lr;
}

/**
 * The model radio buttons (kind, with its summary as the title) and one field per option any model reads,
 * built into `modelGroup` and before `before` (the fields are shown for the models that read them: showOptions).
 */
export function buildModelControls(form: HTMLFormElement, modelGroup: HTMLElement, before: Element): void {
  modelGroup.replaceChildren(
    ...MODELS.map((m, i) => {
      const label = document.createElement('label');
      label.title = m.summary;
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = 'model';
      input.value = m.kind;
      input.checked = i === 0;
      const span = document.createElement('span');
      span.textContent = m.kind;
      label.append(input, span);
      return label;
    }),
  );
  for (const field of FIELDS) {
    const { name } = field;
    const label = document.createElement('label');
    label.className = 'field option';
    label.dataset.option = name;
    const caption = document.createElement('span');
    caption.className = 'label';
    caption.textContent = field.label;
    let control: HTMLInputElement | HTMLSelectElement;
    if (field.input === 'choice') {
      const select = document.createElement('select');
      for (const choice of field.choices ?? []) select.append(new Option(choice, choice));
      control = select;
    } else {
      const input = document.createElement('input');
      input.type = field.input === 'number' ? 'number' : 'text';
      if (field.input === 'number') {
        input.step = field.step ?? 'any';
        if (field.min !== undefined) input.min = String(field.min);
        if (field.max !== undefined) input.max = String(field.max);
      }
      input.placeholder = field.placeholder ?? '';
      input.autocomplete = 'off';
      input.spellcheck = false;
      control = input;
    }
    control.name = optionInputName(name);
    control.title = field.title;
    label.append(caption, control);
    form.insertBefore(label, before);
  }
}

/** Shows the option fields `kind` reads and hides the others. */
export function showOptions(form: HTMLFormElement, kind: string): void {
  const reads = modelDefinition(kind).options;
  form.querySelectorAll<HTMLElement>('.field.option').forEach((el) => (el.hidden = !(el.dataset.option! in reads)));
}

function integer(form: HTMLFormElement, name: string, label: string, min: number, max: number, problems: string[]): number {
  const input = form.elements.namedItem(name) as HTMLInputElement;
  const value = Number(input.value);
  const bad = input.value.trim() === '' || !Number.isInteger(value) || value < min || value > max;
  input.toggleAttribute('aria-invalid', bad);
  if (bad) problems.push(`${label} must be a whole number from ${min} to ${max}`);
  return value;
}

/** Puts TRAINING_LIMITS on the form's inputs, so the browser's own spinners and hints agree with readSettings. */
export function applyLimits(form: HTMLFormElement): void {
  for (const [name, { min, max }] of Object.entries(TRAINING_LIMITS)) {
    const input = form.elements.namedItem(name) as HTMLInputElement;
    input.min = String(min);
    if (name !== 'batchSize') input.max = String(max); // the batch's upper bound is the samples loaded, set by validate()
  }
}

/** Where a model's message is about: the option it names first (as --flag or by name), or null. */
function optionNamed(message: string, names: readonly string[]): string | null {
  let best: { name: string; at: number } | null = null;
  for (const name of names) {
    const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const at = [message.indexOf(flag), message.search(new RegExp(`\\b${name}\\b`))].filter((i) => i >= 0);
    if (at.length > 0 && (!best || Math.min(...at) < best.at)) best = { name, at: Math.min(...at) };
  }
  return best?.name ?? null;
}

/**
 * The model's spec from its option fields, given as the CLI gives flags: only the fields that are filled in,
 * text as typed, numbers as numbers. A problem (the model's own UsageError message) marks the field it names.
 */
export function readModel(form: HTMLFormElement, problems: string[]): { definition: ModelDefinition; spec: ModelSpec | null } {
  const kind = (form.elements.namedItem('model') as RadioNodeList).value;
  const definition = modelDefinition(kind);
  const names = Object.keys(definition.options);
  const options: ModelOptions = {};
  const controls = new Map<string, HTMLInputElement | HTMLSelectElement>();
  for (const { name } of FIELDS) {
    const control = form.elements.namedItem(optionInputName(name)) as HTMLInputElement | HTMLSelectElement | null;
    if (!control) continue;
    control.removeAttribute('aria-invalid');
    if (names.includes(name)) controls.set(name, control);
  }
  let own: string | null = null;
  for (const [name, control] of controls) {
    const value = control.value.trim();
    if (control instanceof HTMLInputElement && control.type === 'number') {
      if (control.validity.badInput) {
        own ??= `${FIELDS.find((f) => f.name === name)?.label ?? name} must be a number`;
        control.setAttribute('aria-invalid', 'true');
      } else if (value !== '') options[name] = Number(value);
    } else if (value !== '') options[name] = value;
  }
  if (own) {
    problems.push(own);
    return { definition, spec: null };
  }
  try {
    return { definition, spec: definition.spec(FASHION_MNIST_SHAPE, FASHION_MNIST_CLASSES, options) };
  } catch (err) {
    // The model names its options as the library takes them (modelOptions.KEY); the page says them as the CLI's flags.
    const message = renameOptions(err instanceof Error ? err.message : String(err), (key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    const named = optionNamed(message, names);
    const control = named ? controls.get(named) : undefined;
    control?.setAttribute('aria-invalid', 'true');
    problems.push(message);
    return { definition, spec: null };
  }
}

/**
 * `available`, `testAvailable`: training and test samples loaded (the largest allowed "Training samples" and "Test
 * images"); `bindingLimit`: the device's maxStorageBufferBindingSize where the engine has one (a model a parameter or
 * one image of which passes it cannot train; default WebGPU's 128 MiB).
 */
export function readSettings(form: HTMLFormElement, available: number, testAvailable = 10000, bindingLimit?: number): Parsed {
  const problems: string[] = [];
  const { definition, spec } = readModel(form, problems);
  const epochs = integer(form, 'epochs', 'Epochs', TRAINING_LIMITS.epochs.min, TRAINING_LIMITS.epochs.max, problems);
  const lrInput = form.elements.namedItem('lr') as HTMLInputElement;
  const lr = Number(lrInput.value);
  const badLr = lrInput.value.trim() === '' || !(lr > 0) || !Number.isFinite(lr);
  lrInput.toggleAttribute('aria-invalid', badLr);
  if (badLr) problems.push('Learning rate must be a positive number');
  const samples = integer(form, 'limit', 'Training samples', 1, available, problems);
  const testSamples = integer(form, 'testLimit', 'Test images', 1, testAvailable, problems);
  const batchSize = integer(form, 'batchSize', 'Batch size', TRAINING_LIMITS.batchSize.min, Math.max(1, Math.min(TRAINING_LIMITS.batchSize.max, samples || available)), problems);
  const seed = integer(form, 'seed', 'Seed', TRAINING_LIMITS.seed.min, TRAINING_LIMITS.seed.max, problems);
  // Can this spec train with this many rows per step, at the device's storage binding (before there is a device, at
  // WebGPU's default 128 MiB)? A parameter or one image's activation past it cannot; a batch past it trains in chunks.
  if (spec && problems.length === 0) {
    const unfit = definition.problem?.(spec, Math.min(batchSize, samples), bindingLimit);
    if (unfit) {
      const named = optionNamed(unfit, Object.keys(definition.options));
      (form.elements.namedItem(named ? optionInputName(named) : 'batchSize') as HTMLElement | null)?.setAttribute('aria-invalid', 'true');
      problems.push(unfit);
    }
  }
  if (problems.length > 0 || !spec) return { ok: false, problems };
  return { ok: true, settings: { model: definition.kind, spec, epochs, lr, batchSize, seed, samples, testSamples } };
}
