/**
 * A new run's id when the caller names none: a version 7 UUID (RFC 9562), whose first 48 bits are the time in
 * milliseconds and whose other 74 free bits are random. Runs started together get ids that sort together, so in a
 * store their rows and journal entries (keyed by run id) land on neighbouring pages: a commit of the writes of many
 * runs appends to a few pages instead of dirtying a random page for each run, and those pages stay in the cache.
 *
 * @example
 * newRunId(); // "019aefb4-2c1e-7a3d-9f04-5b2c8e6d1a70"
 */
import { pooledRandomBytes } from './random-pool.js';

export function newRunId(now: number = Date.now()): string {
  const bytes = Buffer.from(pooledRandomBytes(16));
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | ((bytes[6] as number) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
