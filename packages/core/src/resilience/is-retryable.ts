/**
 * Decides whether a failure is worth another attempt. Baton errors say so themselves; errors from HTTP clients are
 * judged by status (408, 429 and 5xx retry); anything else is retried, as durable-execution engines do by default:
 * throw a `NonRetryableError` (or list the code in `retry.nonRetryable`) for failures that cannot heal.
 */
import { BatonError } from '../errors/baton-error.js';

export function isRetryable(error: unknown, nonRetryable: readonly string[] = []): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const record = error as Record<string, unknown>;
  if (nonRetryable.length > 0) {
    if (nonRetryable.includes(String(record.code)) || nonRetryable.includes(String(record.name))) return false;
  }
  if (BatonError.isInstance(error)) return error.retryable;
  if (typeof record.isRetryable === 'boolean') return record.isRetryable;
  if (typeof record.retryable === 'boolean') return record.retryable;
  const status = typeof record.status === 'number' ? record.status : record.statusCode;
  if (typeof status === 'number') return status === 408 || status === 429 || status >= 500;
  return true;
}
