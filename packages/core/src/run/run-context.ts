/** Everything the steps of one run share: ids, request, signal, budgets, limits, events and engine services. */
import type { BudgetTracker } from '../budget/budget-tracker.js';
import type { RunEvent } from '../events/run-event.js';
import type { Distance } from '../evidence/distance.js';
import type { BreakerPolicy, RetryPolicy } from '../plan/plan.js';
import type { Registry } from '../registry/registry.js';
import type { Breakers } from '../resilience/breakers.js';
import type { IdempotencyStore } from './idempotency-store.js';
import type { Limiter } from './limiter.js';

/** Engine-wide services a run uses. */
export interface EngineServices {
  registry: Registry;
  breakers: Breakers;
  idempotency: IdempotencyStore;
  defaults: { retry?: RetryPolicy | false; breaker?: BreakerPolicy | false; timeoutMs?: number };
  distances: Readonly<Record<string, Distance>>;
  embed: ((texts: string[]) => Promise<number[][]>) | undefined;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type EventInput = DistributiveOmit<RunEvent, 'runId' | 'timestamp'>;

export interface RunContext {
  readonly runId: string;
  readonly request: unknown;
  readonly signal: AbortSignal;
  readonly services: EngineServices;
  readonly limiter: Limiter;
  readonly budget: BudgetTracker;
  readonly stepTimeoutMs: number | undefined;
  emit(event: EventInput): void;
  /** Ends the run with `error` (the first call wins): aborts the signal so every step stops. */
  fail(error: unknown): void;
}
