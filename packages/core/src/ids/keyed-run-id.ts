/**
 * The id of the run an idempotency key starts, the same in every engine on a store (`nameUuid` of the key). So a
 * handle for a key another engine already ran — or is starting at this moment — carries that run's id, and `getRun`,
 * `cancel` and the store all find it. Unlike `newRunId` it is not ordered by time.
 */
import { nameUuid } from './name-uuid.js';

export function keyedRunId(idempotencyKey: string): string {
  return nameUuid(`baton-run-key\u0000${idempotencyKey}`);
}
