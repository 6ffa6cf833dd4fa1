/**
 * Turns whatever a handler threw into the `task-error` body: `retryable` from the error's own boolean `retryable`
 * (default true), `retryAfterMs` and `code` when it has them, and for an abort caused by a cancel or a deadline the
 * code and retryability of that.
 */
import type { TaskError } from '@baton/protocol';
import { TaskCancelledError } from './task-cancelled-error.js';

const MAX_MESSAGE_LENGTH = 10_000;

function clip(text: string): string {
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : text;
}

function jsonSafe(value: unknown): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch {
    return undefined;
  }
}

export function toTaskError(error: unknown, signal?: AbortSignal): TaskError {
  const reason = signal?.aborted ? signal.reason : undefined;
  if (TaskCancelledError.isInstance(error) || (TaskCancelledError.isInstance(reason) && isAbortError(error))) {
    const cancelled = (TaskCancelledError.isInstance(error) ? error : reason) as TaskCancelledError;
    return { message: clip(cancelled.message), code: cancelled.code, retryable: cancelled.reason !== 'cancelled' };
  }
  if (typeof error !== 'object' || error === null) {
    return { message: clip(String(error)), retryable: true };
  }
  const fields = error as Record<string, unknown>;
  const message = typeof fields.message === 'string' && fields.message !== '' ? fields.message : String(error);
  const result: TaskError = {
    message: clip(message),
    retryable: typeof fields.retryable === 'boolean' ? fields.retryable : true,
  };
  if (typeof fields.code === 'string' && fields.code.length <= 200) result.code = fields.code;
  if (typeof fields.retryAfterMs === 'number' && Number.isFinite(fields.retryAfterMs) && fields.retryAfterMs >= 0) {
    result.retryAfterMs = Math.ceil(fields.retryAfterMs);
  }
  const details = jsonSafe(fields.details);
  if (details !== undefined) result.details = details;
  return result;
}

function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}
