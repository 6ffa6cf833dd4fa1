/**
 * Canonical JSON (RFC 8785: sorted keys, ECMAScript number and string forms, no whitespace) and SHA-256, the two
 * ingredients of the journal's hash chain and of blob addresses.
 */
import { hash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { ValidationError } from '../errors/validation-error.js';

/** Texts `isStorableJson` made, taken by the next `canonicalJson` of the same object instead of making them again. */
const checked = new WeakMap<object, string>();

/**
 * `canonicalize`'s text of `value`, with functions treated as `JSON.stringify` treats them: a key holding one is left
 * out, an array item that is one becomes `null`. The package writes the word `undefined` there instead — a journal
 * entry no JSON parser reads back, and whose hash no longer matches once stored. Such a text (or one with the word in
 * a string, which is only slower) is made again from the value as JSON reads it.
 */
function canonicalText(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) return 'null';
  if (!text.includes('undefined')) return text;
  return canonicalize(JSON.parse(JSON.stringify(value))) ?? 'null';
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
