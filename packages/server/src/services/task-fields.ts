/**
 * What the engine hands a remote target, fitted to what the socket's `task` and `compensate` messages may carry (a
 * service refuses anything else, and the step would wait for it forever): a deadline as a whole millisecond, rounded
 * up, and no later than the protocol allows — a deadline that far off means none in practice; an idempotency key no
 * longer than the protocol allows, or the step fails at once, not retryable.
 *
 * @example
 * const deadline = taskDeadline(context.deadline); // 1767225600001, for 1767225600000.5
 */
import { MAX_IDEMPOTENCY_KEY_LENGTH, MAX_TIMESTAMP } from '@baton/protocol';
import { UnsendableTaskError } from '../socket/dispatch-errors.js';

export function taskDeadline(deadline: number | null | undefined): number | null {
  if (deadline === undefined || deadline === null) return null;
  return Math.min(Math.ceil(deadline), MAX_TIMESTAMP);
}

export function checkIdempotencyKey(service: string, key: string): string {
  if (key.length <= MAX_IDEMPOTENCY_KEY_LENGTH) return key;
  throw new UnsendableTaskError(
    service,
    'idempotencyKey',
    `its idempotency key is ${key.length} characters long and a task carries at most ${MAX_IDEMPOTENCY_KEY_LENGTH}; give the step a shorter policy.idempotencyKey`,
  );
}
