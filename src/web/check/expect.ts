/**
 * The part of vitest's `expect` the kernel suite uses, for running that suite in a page. Semantics follow
 * vitest: toBe is Object.is, toEqual is recursive equality with Object.is on numbers. A matcher the suite
 * starts using without it being here fails the check loudly instead of passing silently.
 */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

function show(value: unknown): string {
  if (ArrayBuffer.isView(value) || Array.isArray(value)) {
    const items = Array.from(value as ArrayLike<unknown>);
    const head = items.slice(0, 12).map(show).join(', ');
    return `[${head}${items.length > 12 ? `, … (${items.length} items)` : ''}]`;
  }
  if (typeof value === 'number' && Object.is(value, -0)) return '-0';
  if (typeof value === 'string') return JSON.stringify(value);
  if (value && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

export function equals(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (isArrayLike(a) || isArrayLike(b)) {
    if (!isArrayLike(a) || !isArrayLike(b)) return false;
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equals(a[i], b[i])) return false;
    return true;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    return ka.every((k) => equals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/** vitest's toMatchObject: every property of `e` (recursively; arrays element by element, same length) is in `a`. */
export function matchesObject(a: unknown, e: unknown): boolean {
  if (Array.isArray(e)) return Array.isArray(a) && a.length === e.length && e.every((v, i) => matchesObject(a[i], v));
  if (e && typeof e === 'object' && !isArrayLike(e)) {
    return !!a && typeof a === 'object' && Object.entries(e).every(([k, v]) => k in (a as object) && matchesObject((a as Record<string, unknown>)[k], v));
  }
  return equals(a, e);
}

type Check = (actual: unknown, expected?: unknown, digits?: number) => [boolean, string];

const checks: Record<string, Check> = {
  toBe: (a, e) => [Object.is(a, e), `expected ${show(a)} to be ${show(e)}`],
  toEqual: (a, e) => [equals(a, e), `expected ${show(a)} to equal ${show(e)}`],
  toMatchObject: (a, e) => [matchesObject(a, e), `expected ${show(a)} to match object ${show(e)}`],
  toMatch: (a, e) => [typeof a === 'string' && (e instanceof RegExp ? e.test(a) : a.includes(String(e))), `expected ${show(a)} to match ${String(e)}`],
  toBeGreaterThan: (a, e) => [(a as number) > (e as number), `expected ${show(a)} to be greater than ${show(e)}`],
  toBeGreaterThanOrEqual: (a, e) => [(a as number) >= (e as number), `expected ${show(a)} to be >= ${show(e)}`],
  toBeLessThan: (a, e) => [(a as number) < (e as number), `expected ${show(a)} to be less than ${show(e)}`],
  toBeLessThanOrEqual: (a, e) => [(a as number) <= (e as number), `expected ${show(a)} to be <= ${show(e)}`],
  toBeCloseTo: (a, e, digits = 2) => [Math.abs((a as number) - (e as number)) < 10 ** -digits / 2, `expected ${show(a)} to be close to ${show(e)} (${digits} digits)`],
  toBeTruthy: (a) => [Boolean(a), `expected ${show(a)} to be truthy`],
  toBeFalsy: (a) => [!a, `expected ${show(a)} to be falsy`],
  toBeNaN: (a) => [Number.isNaN(a), `expected ${show(a)} to be NaN`],
  toBeNull: (a) => [a === null, `expected ${show(a)} to be null`],
};

type Matchers = { [K in keyof typeof checks]: (expected?: unknown, digits?: number) => void };

function matchers(actual: unknown, message: string | undefined, negate: boolean): Matchers {
  const out = {} as Matchers;
  for (const [name, check] of Object.entries(checks)) {
    out[name] = (expected?: unknown, digits?: number) => {
      const [pass, text] = check(actual, expected, digits);
      if (pass === negate) throw new AssertionError(`${message ? `${message}: ` : ''}${negate ? text.replace(' to ', ' not to ') : text}`);
    };
  }
  // Any other matcher name is an error at the call, not an undefined-is-not-a-function later.
  return new Proxy(out, {
    get(target, key) {
      // 'then' is probed by await and must read as absent, not as an unsupported matcher.
      if (typeof key === 'string' && !(key in target) && key !== 'then') throw new AssertionError(`expect(...).${key} is not supported when the kernel suite runs in the page (src/web/check/expect.ts)`);
      return target[key as string];
    },
  });
}

export interface Expect {
  (actual: unknown, message?: string): Matchers & { not: Matchers };
  fail(message?: string): never;
}

export const expect: Expect = Object.assign(
  (actual: unknown, message?: string) => Object.assign(matchers(actual, message, false), { not: matchers(actual, message, true) }),
  {
    fail(message = 'expect.fail() was called'): never {
      throw new AssertionError(message);
    },
  },
);
