/** A target's circuit breaker is open: calls fail fast until it half-opens, at `retryAt` when known. */
import { BatonError } from './baton-error.js';
import { clipText } from './quote-text.js';

function whenText(retryAt: number | undefined): string {
  if (retryAt === undefined) return 'until it lets a trial call through';
  const seconds = Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
  return `until ${new Date(retryAt).toISOString()} (in ${seconds} s), when it lets a trial call through`;
}

export class BreakerOpenError extends BatonError {
  readonly target: string;
  /** When the breaker lets a trial call through (epoch ms); unset when unknown (a trial call is in flight). */
  readonly retryAt: number | undefined;
  /** The message of the last failure counted against the target, when known (the message cuts it to 300 characters). */
  readonly lastFailure: string | undefined;

  constructor(target: string, options: { cause?: unknown; retryAt?: number; lastFailure?: string } = {}) {
    const lastFailure = options.lastFailure === undefined ? undefined : clipText(options.lastFailure, 300);
    super(
      'breaker-open',
      `the circuit breaker for "${target}" is open after repeated failures that may heal (timeouts, crashes, retryable errors${lastFailure === undefined ? '' : `; the last: ${lastFailure}`}): calls fail fast ${whenText(options.retryAt)}`,
      { ...(options.cause === undefined ? {} : { cause: options.cause }), retryable: false },
    );
    this.name = 'BreakerOpenError';
    this.target = target;
    this.retryAt = options.retryAt;
    this.lastFailure = options.lastFailure;
  }

  static override isInstance(error: unknown): error is BreakerOpenError {
    return BatonError.isInstance(error) && error.code === 'breaker-open';
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      target: this.target,
      ...(this.retryAt === undefined ? {} : { retryAt: this.retryAt }),
      ...(this.lastFailure === undefined ? {} : { lastFailure: this.lastFailure }),
    };
  }
}
