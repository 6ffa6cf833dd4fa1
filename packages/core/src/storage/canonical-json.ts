/**
 * Canonical JSON (RFC 8785: sorted keys, ECMAScript number and string forms, no whitespace) and SHA-256, the two
 * ingredients of the journal's hash chain and of blob addresses.
 *
 * The text is `safe-stable-stringify`'s in deterministic mode: keys sorted by UTF-16 code units, numbers and strings
 * as `JSON.stringify` writes them, which for JSON data is RFC 8785's form byte for byte (a property test compares it
 * with the `canonicalize` package on random JSON). What RFC 8785 cannot write is refused: NaN, Infinity, a BigInt, a
 * cycle and a string holding a lone surrogate. A function (or a symbol) is treated as `JSON.stringify` treats it: a key
 * holding one is left out, an array item that is one becomes `null`. It is the journal's hot path: every entry and
 * every step's output passes through it.
 */
import { hash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import { ValidationError } from '../errors/validation-error.js';

/** Throws on NaN, Infinity, BigInt, cycles, functions and symbols; writes objects with their keys sorted. */
const stringify = configure({ deterministic: true, strict: true, circularValue: Error, bigint: false });
/** Leaves out functions and symbols as `JSON.stringify` does (an array item that is one becomes `null`). */
const withoutFunctions = (_key: string, value: unknown) =>
  typeof value === 'function' || typeof value === 'symbol' ? undefined : value;

/** Texts `isStorableJson` made, taken by the next `canonicalJson` of the same object instead of making them again. */
const checked = new WeakMap<object, string>();

/** An escaped lone surrogate in JSON text: `\uD800`–`\uDFFF` after an even run of backslashes. */
const LONE_SURROGATE = /(?<!\\)(?:\\\\)*\\ud[89a-f]/i;

/**
 * The canonical text of `value`. `JSON.stringify` escapes a lone surrogate (`\ud800`) where a pair is written as it
 * is, so an escaped one in the text is a lone one in the value.
 */
function canonicalText(value: unknown): string {
  let text: string | undefined;
  try {
    text = stringify(value);
  } catch (error) {
    if (!holdsFunction(error)) throw error;
    // A function or a symbol somewhere (rare): again, slower, without them, still refusing what JSON cannot hold.
    text = stringify(value, withoutFunctions);
  }
  if (text === undefined) return 'null';
  if (text.includes('\\u') && LONE_SURROGATE.test(text)) throw new Error('Lone surrogate is not allowed');
  return text;
}

/** Whether `safe-stable-stringify` refused a function or a symbol (what `JSON.stringify` leaves out), not bad data. */
function holdsFunction(error: unknown): boolean {
  const message = (error as Error).message ?? '';
  return message.includes('Received type function') || message.includes('Received type symbol');
}

/** Canonical JSON of `value`; `undefined` (and anything JSON drops) becomes `null`. Throws on NaN, Infinity or cycles. */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    const text = checked.get(value);
    if (text !== undefined) {
      checked.delete(value);
      return text;
    }
  }
  try {
    return canonicalText(value);
  } catch (error) {
    throw new ValidationError(
      'value cannot be stored as JSON',
      [
        {
          path: '',
          code: 'not-json',
          message: `${(error as Error).message}; store plain JSON data (no NaN, Infinity or cycles)`,
        },
      ],
      { cause: error },
    );
  }
}

/**
 * Whether `canonicalJson(value)` would succeed. For an object the text is kept for the next `canonicalJson` of it,
 * which is what the journal does with an entry's data right after this check.
 */
export function isStorableJson(value: unknown): boolean {
  try {
    const text = canonicalText(value);
    if (typeof value === 'object' && value !== null) checked.set(value, text);
    return true;
  } catch {
    return false;
  }
}

export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/** UTF-8 length of `text`, skipping the count when the UTF-16 length already decides the comparison. */
export function exceedsBytes(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  return Buffer.byteLength(text, 'utf8') > limit;
}
