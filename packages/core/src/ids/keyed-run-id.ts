/**
 * The id of the run an idempotency key starts, the same in every engine on a store: a version 8 UUID (RFC 9562) made
 * of the SHA-256 of the key. So a handle for a key another engine already ran — or is starting at this moment —
 * carries that run's id, and `getRun`, `cancel` and the store all find it. Unlike `newRunId` it is not ordered by
 * time.
 */
import { createHash } from 'node:crypto';

export function keyedRunId(idempotencyKey: string): string {
  const bytes = createHash('sha256').update('baton-run-key\u0000').update(idempotencyKey).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
