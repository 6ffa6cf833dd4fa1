/**
 * Parsers for option values and arguments, used as commander's argument parsers: a bad value is a `UsageError`
 * naming the option. Light on purpose: `baton --help` loads this and nothing heavier.
 */
import { UsageError } from '../usage-error.js';

/** A number in (0, 1], e.g. a similarity threshold or a target precision. */
export function unitInterval(option: string) {
  return (value: string): number => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number) || number <= 0 || number > 1) {
      throw new UsageError(`${option} must be a number in (0, 1], got "${value}"`);
    }
    return number;
  };
}

/** A number in [0, 1], e.g. a share of a mixed score, where 0 turns the share off. */
export function share(option: string) {
  return (value: string): number => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1) {
      throw new UsageError(`${option} must be a number in [0, 1], got "${value}"`);
    }
    return number;
  };
}

/** A text argument (a prompt, a question, an id): refuses an empty or blank one, naming the argument and what it is. */
export function nonEmptyText(argument: string, what = 'prompt') {
  return (value: string): string => {
    if (value.trim() === '')
      throw new UsageError(`${argument} must be a non-empty ${what}, got ${JSON.stringify(value)}`);
    return value;
  };
}

/** A TCP port: an integer in [0, 65535] (0 picks a free one). */
export function port(option: string) {
  return (value: string): number => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isInteger(number) || number < 0 || number > 65535) {
      throw new UsageError(`${option} must be a port number from 0 to 65535, got "${value}"`);
    }
    return number;
  };
}

/** A whole number > 0, e.g. a timeout in milliseconds or a page size. */
export function positiveInteger(option: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isInteger(number) || number <= 0 || number > max) {
      throw new UsageError(`${option} must be a whole number from 1 to ${max}, got "${value}"`);
    }
    return number;
  };
}

/** A JSON value given on the command line; `object` asks for a JSON object. */
export function jsonValue(option: string, shape: 'any' | 'object' = 'any') {
  return (value: string): unknown => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      throw new UsageError(`${option} must be JSON, got ${JSON.stringify(value)}: ${(error as Error).message}`);
    }
    if (shape === 'object' && (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))) {
      throw new UsageError(`${option} must be a JSON object such as '{"city":"Paris"}', got ${JSON.stringify(value)}`);
    }
    return parsed;
  };
}

const JSON_SCALAR = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)$/;

/**
 * One `-d key=value` request data field, added to the ones before it (commander's repeatable option). Numbers,
 * `true`, `false` and `null` are read as JSON, anything else is the string as given. Keys are flat: `a.b=1` sets
 * the key `"a.b"`.
 */
export function dataField(value: string, previous: ReadonlyArray<readonly [string, unknown]> = []) {
  const equals = value.indexOf('=');
  if (equals <= 0) {
    throw new UsageError(`-d must be key=value with a non-empty key, got ${JSON.stringify(value)}`);
  }
  const raw = value.slice(equals + 1);
  const parsed: unknown = JSON_SCALAR.test(raw) ? JSON.parse(raw) : raw;
  return [...previous, [value.slice(0, equals), parsed] as const];
}

/** A comma-separated list with no empty items, e.g. `--events a,b`. */
export function commaList(option: string) {
  return (value: string): string[] => {
    const items = value.split(',').map((item) => item.trim());
    if (items.some((item) => item === '')) {
      throw new UsageError(`${option} must be a comma-separated list with no empty item, got ${JSON.stringify(value)}`);
    }
    return items;
  };
}

/** One of a fixed set of words, e.g. a status filter. */
export function oneOf(option: string, allowed: readonly string[]) {
  return (value: string): string => {
    if (!allowed.includes(value)) {
      throw new UsageError(`${option} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`);
    }
    return value;
  };
}

/** Any text that is not blank, e.g. a URL, a key, a name or an id. */
export function nonBlank(name: string) {
  return (value: string): string => {
    if (value.trim() === '') throw new UsageError(`${name} must not be empty, got ${JSON.stringify(value)}`);
    return value.trim();
  };
}
