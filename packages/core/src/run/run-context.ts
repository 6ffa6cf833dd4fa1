/** Everything the steps of one run share: ids, request, signal, budgets, limits, events and engine services. */
import type { BudgetTracker } from '../budget/budget-tracker.js';
import type { RefusedRetry } from '../errors/timeout-error.js';
import type { RunEvent, SerializedError, UsageTotals } from '../events/run-event.js';
import type { Distance } from '../evidence/distance.js';
import type { BreakerPolicy, RetryPolicy } from '../plan/plan.js';
import type { Registry } from '../registry/registry.js';
import type { Breakers } from '../resilience/breakers.js';
import type { NewJournalEntry } from '../storage/run-store.js';
import type { HandlerCalls } from './handler-calls.js';
import type { IdempotencyStore } from './idempotency-store.js';
import type { Limiter } from './limiter.js';
import type { PauseBroker } from './pause-broker.js';
import type { RunActivity } from './run-activity.js';
import type { VersionLock } from './version-lock.js';

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

/** A step that finished (or was skipped) in an earlier life of a durable run, as its journal recorded it. */
export interface StepMemoEntry {
  status: 'succeeded' | 'skipped';
  output?: unknown;
  target?: string;
  attempts?: number;
  usage?: { tokens: number; costUsd: number };
  reason?: string;
  evidence?: unknown;
  /** The resolved input of a target step, kept for compensation. */
  input?: unknown;
  /** Keys of the steps it came after, for compensation order. */
  after?: string[];
}

/** A sub-call (`HandlerContext.call`) or memo (`HandlerContext.memo`) of a step that finished, as its journal entry holds it. */
export interface SubCallMemoEntry {
  kind: 'call' | 'memo';
  output: unknown;
  /** `name@version` of the target a call reached. */
  target?: string;
  /** The target a call asked for, as written (`search`, `search@^2`): a replay must ask for the same. */
  ref?: string;
  /** SHA-256 of the canonical JSON of a call's input: a replay must pass the same. */
  inputDigest?: string;
  /** A call that failed with `keepFailure`: its error, thrown again on replay. */
  error?: SerializedError;
  usage: UsageTotals;
  /** A call whose target declares `compensate`: what its compensation needs (see `FinishedStep`). */
  compensable?: { stepId: string; input: unknown; within: string; after: readonly string[] };
}

/** How far a target call of a step got in an earlier life: the attempts that failed before a retry was scheduled. */
export interface RetryMemoEntry {
  /** Attempts of this target call that failed. */
  failed: number;
  /** Attempts of the step (every target it tried) by then. */
  attempts: number;
  /** When the next attempt was due (ms since epoch). */
  retryAt: number;
}

/** What a durable run adds: the memo of what already happened, and the journal of what happens now. */
export interface DurableHooks {
  /** A step finished in an earlier life of this run: reuse it instead of running it again. */
  recall(stepKey: string): StepMemoEntry | undefined;
  /** A sub-call or memo of the step at `stepKey` that finished in an earlier life. */
  recallSubCall(stepKey: string, id: string): SubCallMemoEntry | undefined;
  /** The retries a target call of the step at `stepKey` had scheduled in an earlier life (`retry-memo.ts`). */
  recallRetry(stepKey: string, scope: string): RetryMemoEntry | undefined;
  /**
   * Resolves once the entry is stored. A step counts as finished only after its entry is, unless it is `early`: an
   * effect-free step whose dependents go on while the entry is written (see `JournalWriter`).
   */
  record(entry: NewJournalEntry, early?: boolean): Promise<void>;
  /**
   * The entry of the run's last step, stored with the run's finish (one write fewer); resolves once it is. Like an
   * early entry, the step counts as finished at once, and the events after it wait for it.
   */
  recordWithFinish(entry: NewJournalEntry): Promise<void>;
  /**
   * A listener threw on an event delivered once the run was stored as finished (its last step's, held behind the
   * finish): too late to fail the run, so it is reported instead.
   */
  lateListenerError(error: unknown): void;
  /** `undefined` when everything recorded so far is stored, else a promise of that moment. */
  settled(): Promise<void> | undefined;
  /** Runs `callback` (an event's delivery) once everything recorded before it is stored. */
  afterDurable(callback: () => void): void;
  /** The idempotency key handlers get when the step sets none: the same across restarts. */
  idempotencyKey(stepKey: string): string;
  /** Counts steps restored from the journal, for the `run-resume` event. */
  replayed: number;
}

/** A finished step that may have to be undone: what compensation needs to know about it. */
export interface FinishedStep {
  stepKey: string;
  stepId: string;
  /** `name@version` of the target that ran it. */
  target: string;
  input: unknown;
  output: unknown;
  /**
   * Keys of the finished steps it depended on (directly or through its loop), for reverse-order undo; a sub-call has
   * those of its step. Each is undone after it, with the sub-calls it made.
   */
  after: readonly string[];
  /**
   * A sub-call (`stepKey` `<step key>#<id>`): the key of the step or sub-call that made it, undone after it. Sub-calls
   * made by one are undone in reverse order of finishing.
   */
  within?: string;
}

export interface RunCutoff {
  /** Ms since epoch. */
  at: number;
  /** The error the run ends with at `at`; with `refused`, the error of a retry refused now because it would start after `at`. */
  error(refused?: RefusedRetry): Error;
}

export interface RunContext {
  readonly runId: string;
  readonly request: unknown;
  readonly signal: AbortSignal;
  readonly services: EngineServices;
  readonly limiter: Limiter;
  readonly budget: BudgetTracker;
  readonly stepTimeoutMs: number | undefined;
  /** The earliest moment the run is cut off (its deadline or time budget), and the error it then ends with. */
  readonly cutoff: RunCutoff | undefined;
  readonly pauses: PauseBroker;
  readonly activity: RunActivity;
  readonly durable: DurableHooks | undefined;
  /** Durable runs: handler calls not settled yet (see `HandlerCalls`). */
  readonly handlerCalls: HandlerCalls | undefined;
  /** Finished target steps in finish order, for compensation. */
  readonly finished: FinishedStep[];
  /** The target version each step is locked to (see `VersionLock`). */
  readonly versions: VersionLock;
  emit(event: EventInput): void;
  /** Ends the run with `error` (the first call wins): aborts the signal so every step stops. */
  fail(error: unknown): void;
}
