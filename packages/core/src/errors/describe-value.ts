/**
 * Renders a value the caller passed for an error message: short, never throwing (cycles, BigInts and symbols
 * included), so that every "got …" in a message names what was actually given.
 */

const MAX_LENGTH = 80;

/**
 * @example
 * describeValue(undefined); // 'undefined'
 * describeValue({ registry: {} }); // '{"registry":{}}'
 * describeValue(() => 1); // 'a function'
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return value.name ? `a function (${value.name})` : 'a function';
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : value.toISOString();
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  // A long string is cut before it is escaped: a 10 MB id costs no more to describe than a short one.
  if (typeof value === 'string' && value.length > MAX_LENGTH) return clip(JSON.stringify(value.slice(0, MAX_LENGTH)));
  let text: string;
  try {
    text = JSON.stringify(value, (_key, inner) => (typeof inner === 'bigint' ? `${inner}n` : inner)) ?? String(value);
  } catch (error) {
    const kind = Array.isArray(value) ? 'an array' : 'an object';
    text = error instanceof RangeError ? `${kind} nested too deeply to show` : `${kind} that contains itself`;
  }
  return clip(text);
}

function clip(text: string): string {
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}
