/**
 * The `Idempotency-Key` a submission carries when the caller gives none: a version 7 UUID (RFC 9562) — the time in
 * milliseconds in its first 48 bits, 74 random bits after — rather than a random one. The server keeps a unique index
 * of each project's keys; keys made one after another land at its end, so a commit of many orchestrations' rows writes
 * one or two of its pages instead of a random page for each (measured on SQLite: about six of the 30 pages a busy
 * server's commit wrote), and the pages being written stay in the server's cache as the index grows.
 *
 * @example
 * submissionKey(); // "019af3c2-5e10-7b4d-8c2e-3f9a0d61b7e4"
 */
import { randomBytes } from 'node:crypto';

export function submissionKey(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | ((bytes[6] as number) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
