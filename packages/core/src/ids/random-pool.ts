/**
 * Random bytes for ids, drawn from the operating system's generator 4 KiB at a time (as `crypto.randomUUID` does):
 * a call of `randomBytes` for each id cost as much as the rest of making it. Never for secrets, which take their
 * own `randomBytes`.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;

/** `length` (at most 4096) random bytes, valid until the next call: copy them to keep them. */
export function pooledRandomBytes(length: number): Buffer {
  if (used + length > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  used += length;
  return pool.subarray(used - length, used);
}
