/**
 * How expressions treat values at run time: strict deep equality, membership for `in` and `contains()`, and how a
 * value is described in an error message.
 */

/** Reports a failure while evaluating; it never returns. */
export type Fail = (problem: string, hint?: string) => never;

/** Guards deep equality against cyclic values handed back by a lookup. */
const MAX_COMPARE_DEPTH = 1000;

export function contains(container: unknown, item: unknown, fail: Fail): boolean {
  if (Array.isArray(container)) {
    for (const element of container) if (deepEqual(element, item, 0, fail)) return true;
    return false;
  }
  if (typeof container === 'string') {
    return typeof item === 'string'
      ? container.includes(item)
      : fail(`can only look for a string in a string, got ${describe(item)}`);
  }
  if (typeof container === 'object' && container !== null) {
    return typeof item === 'string'
      ? Object.hasOwn(container, item)
      : fail(`can only look for a string key in an object, got ${describe(item)}`);
  }
  return fail(`needs an array, a string or an object to look in, got ${describe(container)}`);
}

export function deepEqual(a: unknown, b: unknown, depth: number, fail: Fail): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (depth > MAX_COMPARE_DEPTH) return fail(`cannot compare values nested deeper than ${MAX_COMPARE_DEPTH}`);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i], depth + 1, fail)) return false;
    return true;
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(b, key) || !deepEqual(a[key], b[key], depth + 1, fail)) return false;
  }
  return true;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A value as an error message shows it: its type, and the value itself when it is short. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'string')
    return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}
