/** What a run takes and gives back: options, per-step results, the final result and the handle. */
import type { RunEvent, SerializedError, UsageTotals } from '../events/run-event.js';
import type { Budget } from '../plan/plan.js';
import type { VersionLocks } from '../registry/locked-version.js';

export interface RunOptions {
  /**
   * The run's id; one the engine holds a run under already is a `DuplicateRunError`. @default a new version 7 UUID
   * (time-ordered); with a store and an `idempotencyKey`, one made from the key (`keyedRunId`), the same on every engine
   */
  runId?: string;
  /**
   * Most steps calling targets at once across the run. Loop steps hold no slot; an evidence step holds one for all its
   * replicates, which `evidence.maxParallel` bounds. @default 32
   */
  maxParallel?: number;
  /** Default per-attempt timeout for steps that set none. */
  timeoutMs?: number;
  /** Whole-run deadline: milliseconds from now, or a Date. Passing it fails the run with a TimeoutError. */
  deadline?: number | Date;
  signal?: AbortSignal;
  /** Run budget; fields given here override the plan's. */
  budget?: Budget;
  /** Starting a run with a key that already ran returns the first run's handle instead of running again. */
  idempotencyKey?: string;
  /**
   * Versions locked by an earlier run of the same plan (its `result.versions`): steps whose reference is the same keep
   * that run's versions (and migrations) instead of resolving again, as a retried orchestration must.
   */
  versions?: VersionLocks;
  /** Called synchronously for each event, in order. */
  onEvent?: (event: RunEvent) => void;
  /** Keep events so every iterator sees them all from the start. @default true */
  retainEvents?: boolean;
}

export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export interface StepResult {
  id: string;
  status: StepStatus;
  /** The `name@version` that produced the output (a fallback's when one was taken). */
  target?: string;
  output?: unknown;
  error?: SerializedError;
  attempts: number;
  usage: UsageTotals;
  startedAt?: number;
  finishedAt?: number;
  /** Why a step was skipped. */
  reason?: string;
  /** True when an idempotency key matched and an earlier result was reused. */
  reused?: boolean;
  /** The evidence bundle of a step run with `evidence`. */
  evidence?: unknown;
}

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface RunResult {
  runId: string;
  status: RunStatus;
  output: unknown;
  steps: Record<string, StepResult>;
  usage: UsageTotals;
  startedAt: number;
  finishedAt: number | undefined;
  error?: SerializedError;
  /** The version each step's target is locked to, by step id (`<id>#fallback-<n>` for fallbacks); see `VersionLocks`. */
  versions?: VersionLocks;
}

export interface RunHandle extends AsyncIterable<RunEvent> {
  readonly runId: string;
  /** Resolves with the result of a successful run; rejects with the typed error that ended it otherwise. */
  result(): Promise<RunResult>;
  /** The events of the run, from its first; ends when the run ends. */
  events(): AsyncIterable<RunEvent>;
  /** Stops the run: in-flight calls see their signal abort, nothing new starts, `result()` rejects with CancelledError. */
  cancel(reason?: string): void;
  /** The run's state right now. */
  snapshot(): RunResult;
}
