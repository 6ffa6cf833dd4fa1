/**
 * Canonical JSON (RFC 8785: sorted keys, ECMAScript number and string forms, no whitespace) and SHA-256, the two
 * ingredients of the journal's hash chain and of blob addresses.
 */
import { hash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { ValidationError } from '../errors/validation-error.js';

/** Canonical JSON of `value`; `undefined` (and anything JSON drops) becomes `null`. Throws on NaN, Infinity or cycles. */
export function canonicalJson(value: unknown): string {
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

/** Whether `canonicalJson(value)` would succeed. */
export function isStorableJson(value: unknown): boolean {
  try {
    canonicalize(value);
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
