/** A target's circuit breaker is open: calls fail fast until it half-opens. */
import { BatonError } from './baton-error.js';

export class BreakerOpenError extends BatonError {
  readonly target: string;

  constructor(target: string, options: { cause?: unknown } = {}) {
    super(
      'breaker-open',
      `the circuit breaker for "${target}" is open after repeated failures that may heal (timeouts, crashes, retryable errors): calls fail fast until it lets a trial call through`,
      {
        ...options,
        retryable: false,
      },
    );
    this.name = 'BreakerOpenError';
    this.target = target;
  }

  static override isInstance(error: unknown): error is BreakerOpenError {
    return BatonError.isInstance(error) && error.code === 'breaker-open';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), target: this.target };
  }
}
