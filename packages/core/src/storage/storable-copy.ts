/**
 * A copy of a value that JSON can store, for diagnostics that must be kept whatever they hold (an error's fields): a
 * BigInt becomes its decimal digits, NaN and ±Infinity become `null` (as `JSON.stringify` writes them), a lone
 * surrogate becomes U+FFFD, and an object met again inside itself becomes the text `[cycle]`. Data a run goes on with
 * (a step's output, an abort's payload) is refused instead, naming the place (`unstorableIn`): a changed value there
 * would be a wrong answer.
 */
import { LONE_SURROGATE } from './unstorable-value.js';

const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

const wellFormed = (text: string) => text.replace(LONE_SURROGATES, '\uFFFD');

function copy(value: unknown, within: Set<object>): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') return wellFormed(value);
  if (typeof value !== 'object' || value === null) return value;
  if (within.has(value)) return '[cycle]';
  within.add(value);
  let copied: unknown;
  if (Array.isArray(value)) copied = value.map((item) => copy(item, within));
  else {
    const entries = Object.entries(value).map(([key, item]) => [wellFormed(key), copy(item, within)] as const);
    copied = Object.fromEntries(entries);
  }
  within.delete(value);
  return copied;
}

export function storableCopy<T>(value: T): T {
  return copy(value, new Set()) as T;
}
