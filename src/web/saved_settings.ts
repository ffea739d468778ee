/**
 * The train form's settings remembered across reloads (localStorage) and in the page's address, so a link
 * reproduces a run's settings: ?model=mlp&option-hidden=64&epochs=3. The address wins over what was stored.
 * Only what the person chose is kept: the model, the fields that differ from the page's own values, and the
 * epochs and learning rate only once typed into (otherwise each model's defaults apply, as the CLI's do).
 */
const STORAGE_KEY = 'webgpu-softmax:settings';

/** Fields that take the model's default until typed into. */
export const MODEL_DEFAULTED = ['epochs', 'lr'] as const;

export type SavedSettings = Record<string, string>;

function stored(): SavedSettings {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}');
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {}; // storage off (private mode) or not ours: nothing remembered
  }
}

/** What to restore: the stored settings, overridden by those in the address. */
export function savedSettings(): SavedSettings {
  return { ...stored(), ...Object.fromEntries(new URLSearchParams(location.search)) };
}

/** The form's chosen values (see the module's comment); `edited`: the MODEL_DEFAULTED fields typed into. */
export function chosenSettings(form: HTMLFormElement, edited: ReadonlySet<string>): SavedSettings {
  const chosen: SavedSettings = {};
  for (const el of Array.from(form.elements)) {
    if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement) || !el.name) continue;
    if (el instanceof HTMLInputElement && el.type === 'radio') {
      if (el.checked) chosen[el.name] = el.value;
      continue;
    }
    if ((MODEL_DEFAULTED as readonly string[]).includes(el.name)) {
      if (edited.has(el.name)) chosen[el.name] = el.value;
      continue;
    }
    const initial = el instanceof HTMLSelectElement ? (el.options[0]?.value ?? '') : el.defaultValue;
    if (el.value !== initial) chosen[el.name] = el.value;
  }
  return chosen;
}

/** Keeps `chosen` for the next visit and puts it in the address (replacing the entry: no new history step). */
export function saveSettings(chosen: SavedSettings): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(chosen));
  } catch {
    // storage off or full: the address still carries them
  }
  const url = new URL(location.href);
  url.search = new URLSearchParams(chosen).toString();
  history.replaceState(history.state, '', url);
}

/**
 * Puts `saved` into the form: a model the registry no longer has, or a field the form lacks, is skipped.
 * Returns the MODEL_DEFAULTED fields it set (they count as typed into).
 */
export function applySettings(form: HTMLFormElement, saved: SavedSettings): string[] {
  const set: string[] = [];
  const model = saved.model;
  if (model !== undefined) {
    const radio = Array.from(form.querySelectorAll<HTMLInputElement>('input[type=radio][name=model]')).find((r) => r.value === model);
    if (radio) radio.checked = true;
  }
  for (const [name, value] of Object.entries(saved)) {
    if (name === 'model') continue;
    const el = form.elements.namedItem(name);
    if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement)) continue;
    if (el instanceof HTMLSelectElement && !Array.from(el.options).some((o) => o.value === value)) continue;
    el.value = value;
    if ((MODEL_DEFAULTED as readonly string[]).includes(name)) set.push(name);
  }
  return set;
}
