/**
 * Decides whether a failure is worth another attempt. Baton errors say so themselves; errors from HTTP clients are
 * judged by their status or their response's (408, 429 and 5xx retry); anything else is retried, as durable-execution
 * engines do by default: throw a `NonRetryableError` (or list the code in `retry.nonRetryable`) for failures that
 * cannot heal.
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
  const status = statusOf(record) ?? statusOf(record.response);
  if (status !== undefined) return status === 408 || status === 429 || status >= 500;
  return true;
}

/** `status` (fetch, AI SDK, OpenAI), `statusCode` (Node), on the error or on the `response` it carries (axios). */
function statusOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { status, statusCode } = value as { status?: unknown; statusCode?: unknown };
  if (typeof status === 'number') return status;
  return typeof statusCode === 'number' ? statusCode : undefined;
}
