/**
 * High-entropy bearer secrets (API keys, the admin token): 32 random bytes in base62 behind a recognisable prefix,
 * stored only as a SHA-256 hash and compared in constant time.
 *
 * @example
 * const key = newSecretToken('bk_');   // "bk_4fJ…" (46 characters)
 * store(hashToken(key));
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 of `bytes` random bytes, without modulo bias (rejection sampling). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

export const API_KEY_PREFIX = 'bk_';
export const ADMIN_TOKEN_PREFIX = 'badm_';

/** 43 base62 characters carry 256 bits. */
export function newSecretToken(prefix: string): string {
  return `${prefix}${randomBase62(43)}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compares two hex hashes without leaking where they differ. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/** What may be shown of a token: its prefix and the first characters after it. */
export function displayPrefix(token: string): string {
  const underscore = token.indexOf('_');
  return token.slice(0, underscore + 1 + 6);
}
