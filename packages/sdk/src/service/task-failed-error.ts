/**
 * What a handler throws to fail a task on purpose, saying whether another attempt can help. Any thrown error works
 * (its `retryable`, `retryAfterMs` and `code` properties are read); these classes only make the intent explicit.
 *
 * @example
 * throw new RetryableError('rate limited', { retryAfterMs: 2_000, code: 'rate-limited' });
 * throw new NonRetryableError('no such customer: 42', { code: 'customer-not-found' });
 */
import { ServiceError } from './service-error.js';

export interface TaskFailedErrorOptions {
  /** Whether another attempt may succeed. @default true */
  retryable?: boolean;
  /** How long the server should wait before the next attempt. */
  retryAfterMs?: number;
  /** A machine-readable code sent in the `task-error`. @default 'task-failed' */
  code?: string;
  /** JSON-serialisable details sent in the `task-error`. */
  details?: unknown;
  cause?: unknown;
}

export class TaskFailedError extends ServiceError {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: unknown;

  constructor(message: string, options: TaskFailedErrorOptions = {}) {
    super(options.code ?? 'task-failed', message, { cause: options.cause });
    this.name = 'TaskFailedError';
    this.retryable = options.retryable ?? true;
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
  }

  static override isInstance(error: unknown): error is TaskFailedError {
    return ServiceError.isInstance(error) && typeof (error as TaskFailedError).retryable === 'boolean';
  }
}

/** A failure another attempt may fix (a timeout, a rate limit, a dependency that is down). */
export class RetryableError extends TaskFailedError {
  constructor(message: string, options: Omit<TaskFailedErrorOptions, 'retryable'> = {}) {
    super(message, { ...options, code: options.code ?? 'retryable', retryable: true });
    this.name = 'RetryableError';
  }
}

/** A failure no attempt can fix (bad input, a refused operation). */
export class NonRetryableError extends TaskFailedError {
  constructor(message: string, options: Omit<TaskFailedErrorOptions, 'retryable' | 'retryAfterMs'> = {}) {
    super(message, { ...options, code: options.code ?? 'non-retryable', retryable: false });
    this.name = 'NonRetryableError';
  }
}
