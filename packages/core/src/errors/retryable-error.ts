/**
 * What a handler throws to say "try again", optionally after a delay the remote side asked for
 * (an HTTP `Retry-After` in seconds or as an HTTP date).
 */
import { BatonError } from './baton-error.js';

export interface RetryableErrorOptions {
  cause?: unknown;
  /** `Retry-After` as given: seconds (`"120"`, `120`) or an HTTP date (`"Wed, 21 Oct 2026 07:28:00 GMT"`). */
  retryAfter?: string | number;
  /** HTTP status, when the failure came from one. */
  status?: number;
}

export class RetryableError extends BatonError {
  readonly retryAfter: string | number | undefined;
  readonly status: number | undefined;

  constructor(message: string, options: RetryableErrorOptions = {}) {
    super('retryable', message, { cause: options.cause, retryable: true });
    this.name = 'RetryableError';
    this.retryAfter = options.retryAfter;
    this.status = options.status;
  }

  static override isInstance(error: unknown): error is RetryableError {
    return BatonError.isInstance(error) && error.code === 'retryable';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryAfter: this.retryAfter, status: this.status };
  }
}

/** A failure that retrying cannot fix (bad request, permission denied). */
export class NonRetryableError extends BatonError {
  readonly status: number | undefined;

  constructor(message: string, options: { cause?: unknown; status?: number } = {}) {
    super('non-retryable', message, { cause: options.cause, retryable: false });
    this.name = 'NonRetryableError';
    this.status = options.status;
  }

  static override isInstance(error: unknown): error is NonRetryableError {
    return BatonError.isInstance(error) && error.code === 'non-retryable';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status };
  }
}
