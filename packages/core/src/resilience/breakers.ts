/**
 * One circuit breaker per target (cockatiel's consecutive-failure breaker). While open, calls fail fast with a
 * BreakerOpenError so the step can take its fallback; after `halfOpenAfterMs` one trial call decides whether it closes.
 */
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
} from 'cockatiel';
import { BreakerOpenError } from '../errors/breaker-open-error.js';
import type { BreakerPolicy } from '../plan/plan.js';
import { isRetryable } from './is-retryable.js';

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

export const DEFAULT_BREAKER: Required<BreakerPolicy> = Object.freeze({ threshold: 5, halfOpenAfterMs: 30_000 });

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * Only failures that another try might heal — the kind a struggling target causes — count against it. A caller's
 * own mistake (bad input, a cancel, a spent budget) or the target's answer that retrying cannot help (a
 * `NonRetryableError`, an HTTP 4xx, a service's non-retryable task error) shows the target working: one client
 * sending bad requests must not cut a healthy target off for everyone.
 */
const countsAgainstTarget = (error: Error): boolean => isRetryable(error);

/** When an open breaker opened (epoch ms), from cockatiel's serialised state. */
export const openedAt = (policy: CircuitBreakerPolicy): number =>
  (policy.toJSON() as { ownState: { openedAt: number } }).ownState.openedAt;

export class Breakers {
  private readonly byTarget = new Map<
    string,
    { policy: CircuitBreakerPolicy; config: Required<BreakerPolicy>; lastFailure?: string }
  >();

  constructor(private readonly defaults: Required<BreakerPolicy> = DEFAULT_BREAKER) {}

  /** Runs `call` through the target's breaker; throws BreakerOpenError while it is open. */
  async execute<T>(
    target: string,
    config: BreakerPolicy | undefined,
    call: () => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const breaker = this.get(target, config);
    try {
      return await breaker.execute(call, signal);
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw this.openError(target, error);
      throw error;
    }
  }

  /** The error a call to an open breaker fails with, saying when it lets a trial call through. */
  openError(target: string, cause?: unknown): BreakerOpenError {
    const entry = this.byTarget.get(target);
    const retryAt =
      entry?.policy.state === CircuitState.Open ? openedAt(entry.policy) + entry.config.halfOpenAfterMs : undefined;
    const lastFailure = entry?.lastFailure;
    return new BreakerOpenError(target, {
      cause,
      ...(retryAt === undefined ? {} : { retryAt }),
      ...(lastFailure === undefined ? {} : { lastFailure }),
    });
  }

  /**
   * True while calls to `target` would fail fast. An open breaker whose `halfOpenAfterMs` has passed is not: cockatiel
   * only half-opens when a call comes, so that call must be let through to be the trial.
   */
  isOpen(target: string): boolean {
    const entry = this.byTarget.get(target);
    if (!entry) return false;
    const { policy, config } = entry;
    if (policy.state === CircuitState.Isolated) return true;
    if (policy.state !== CircuitState.Open) return false;
    return Date.now() - openedAt(policy) < config.halfOpenAfterMs;
  }

  /** Whether a call of `target` (`name@version`) has gone through its breaker here. */
  has(target: string): boolean {
    return this.byTarget.has(target);
  }

  state(target: string): BreakerState {
    const entry = this.byTarget.get(target);
    return entry ? STATES[entry.policy.state] : 'closed';
  }

  private get(target: string, config: BreakerPolicy | undefined) {
    const found = this.byTarget.get(target);
    // The first configuration seen for a target wins: steps that disagree must not keep resetting its state.
    if (found) return found.policy;
    const wanted = { ...this.defaults, ...config };
    const policy = circuitBreaker(handleWhen(countsAgainstTarget), {
      halfOpenAfter: wanted.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(wanted.threshold),
    });
    const entry: { policy: CircuitBreakerPolicy; config: Required<BreakerPolicy>; lastFailure?: string } = {
      policy,
      config: wanted,
    };
    // What the target last failed with, so a call refused while it is open can say why it opened.
    policy.onFailure(({ handled, reason }) => {
      if (handled && 'error' in reason) entry.lastFailure = reason.error.message;
    });
    this.byTarget.set(target, entry);
    return policy;
  }
}
