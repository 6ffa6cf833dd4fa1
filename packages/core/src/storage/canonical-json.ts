/**
 * Canonical JSON (RFC 8785: sorted keys, ECMAScript number and string forms, no whitespace) and SHA-256, the two
 * ingredients of the journal's hash chain and of blob addresses.
 */
import { hash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { ValidationError } from '../errors/validation-error.js';

/** Texts `isStorableJson` made, taken by the next `canonicalJson` of the same object instead of making them again. */
const checked = new WeakMap<object, string>();

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
    return canonicalize(value) ?? 'null';
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
    const text = canonicalize(value) ?? 'null';
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
