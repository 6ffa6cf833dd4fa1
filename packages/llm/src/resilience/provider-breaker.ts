/**
 * The circuit breaker in front of the provider (cockatiel's consecutive-failure breaker). After `threshold` failures
 * in a row calls fail fast with a `BreakerOpenError`; after `halfOpenAfterMs` one trial call decides whether it closes.
 * Failures of the caller's own making (validation, aborts, 4xx other than 408/429) do not count against the provider.
 */
import { BreakerOpenError, ValidationError } from '@baton/core';
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
} from 'cockatiel';

export interface ProviderBreakerOptions {
  threshold: number;
  halfOpenAfterMs: number;
}

function countsAgainstProvider(error: Error): boolean {
  if (ValidationError.isInstance(error) || error.name === 'AbortError') return false;
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return status === 408 || status === 429;
  return true;
}

export class ProviderBreaker {
  readonly #target: string;
  readonly #policy: CircuitBreakerPolicy;

  readonly #halfOpenAfterMs: number;

  constructor(target: string, options: ProviderBreakerOptions) {
    this.#target = target;
    this.#halfOpenAfterMs = options.halfOpenAfterMs;
    this.#policy = circuitBreaker(handleWhen(countsAgainstProvider), {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.threshold),
    });
  }

  #openedAt(): number {
    return (this.#policy.toJSON() as { ownState: { openedAt: number } }).ownState.openedAt;
  }

  /** Runs `call`, or throws `BreakerOpenError` at once while the breaker is open. */
  async execute<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await this.#policy.execute(call);
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        const retryAt = this.#policy.state === CircuitState.Open ? this.#openedAt() + this.#halfOpenAfterMs : undefined;
        throw new BreakerOpenError(this.#target, { cause: error, ...(retryAt === undefined ? {} : { retryAt }) });
      }
      throw error;
    }
  }
}
