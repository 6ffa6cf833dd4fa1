/**
 * A version 8 UUID (RFC 9562) made of the SHA-256 of a name: the same name gives the same id in every process and
 * every life of a run (an approval's id from its run and step, a keyed run's id from its key). Not ordered by time.
 */
import { createHash } from 'node:crypto';

export function nameUuid(name: string): string {
  const bytes = createHash('sha256').update(name).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
