/**
 * The events a run emits, named noun-verb. Every event carries the run id, a timestamp (ms since epoch) and a path
 * that places it in the run: `[runId]`, `[runId, stepId]`, `[runId, loopId, 'iteration-2', stepId, 'replicate-1']`.
 */
import type { BudgetName } from '../errors/budget-exceeded-error.js';
import type { VersionLocks } from '../registry/locked-version.js';
import type { HandlerEvent, Usage } from '../registry/target.js';

export interface SerializedError {
  name: string;
  code: string;
  message: string;
  retryable: boolean;
  [key: string]: unknown;
}

interface EventBase {
  runId: string;
  timestamp: number;
  path: readonly string[];
}

interface StepEventBase extends EventBase {
  stepId: string;
  attempt: number;
}

export type RunEvent =
  | (EventBase & {
      type: 'run-start';
      steps: number;
      parallelGroups: readonly (readonly string[])[];
      /** The version each step that names its target is locked to (fallbacks and capabilities lock on first use). */
      versions?: VersionLocks;
    })
  | (EventBase & { type: 'run-finish'; output: unknown; durationMs: number; usage: Required<UsageTotals> })
  | (EventBase & { type: 'run-error'; error: SerializedError; durationMs: number })
  | (EventBase & { type: 'run-cancel'; reason: string; durationMs: number })
  | (StepEventBase & { type: 'step-start'; target: string | undefined })
  /** The same target is called again after `delayMs`, because of `error`. */
  | (StepEventBase & { type: 'step-retry'; target: string; error: SerializedError; delayMs: number })
  /**
   * The step hands over to its next fallback target: `from` (`name@version`, or the reference when it could not be
   * resolved) failed for good — retries used up, not retryable, breaker open, or nothing registered — with `error`;
   * `to` is the next target reference, tried at once. `attempt` is the number its first call will have.
   */
  | (StepEventBase & { type: 'step-fallback'; from: string; to: string; error: SerializedError })
  | (StepEventBase & {
      type: 'step-finish';
      target: string | undefined;
      output: unknown;
      durationMs: number;
      usage: UsageTotals;
      /** Set when an idempotency key matched an earlier call and its result was reused. */
      reused?: boolean;
    })
  | (StepEventBase & { type: 'step-error'; target: string | undefined; error: SerializedError; durationMs: number })
  | (StepEventBase & { type: 'step-skip'; reason: string })
  /**
   * The run ended (cancelled, past its deadline or budget, or failed in another step) while this step was running:
   * its handler's signal is aborted and what it returns is not used. `reason` is the run's.
   */
  | (StepEventBase & { type: 'step-cancel'; target: string | undefined; reason: string; durationMs: number })
  /** A handler calls a target as a sub-step (`HandlerContext.call`); `path` ends with the call's id. */
  | (StepEventBase & { type: 'sub-call-start'; callId: string; target: string; input: unknown })
  | (StepEventBase & {
      type: 'sub-call-finish';
      callId: string;
      /** `name@version` of the target that answered; for a replayed memo, undefined. */
      target: string | undefined;
      output: unknown;
      durationMs: number;
      usage: UsageTotals;
      /** The result came from an earlier attempt or life of the step (the journal), not from a new call. */
      replayed?: boolean;
    })
  | (StepEventBase & {
      type: 'sub-call-error';
      callId: string;
      target: string;
      error: SerializedError;
      durationMs: number;
      /** The failure was kept (`keepFailure`) by an earlier attempt or life of the run, and handed back again. */
      replayed?: true;
    })
  /** An event a handler added (`HandlerContext.emit`). */
  | (StepEventBase & HandlerEvent)
  | (EventBase & {
      type: 'budget-warning';
      /** Set when a step's usage or time crossed the threshold; `path` is then that step's. */
      stepId?: string;
      attempt?: number;
      budget: BudgetName;
      scope: string;
      limit: number;
      used: number;
    })
  | (StepEventBase & { type: 'replicate-start'; index: number })
  | (StepEventBase & { type: 'replicate-finish'; index: number; durationMs: number; error?: SerializedError })
  | (StepEventBase & { type: 'bundle-ready'; confidence: number; ran: number; earlyStopped: boolean })
  | (StepEventBase & {
      type: 'approval-request';
      approvalId: string;
      prompt: string;
      data: unknown;
      expiresAt: number | null;
    })
  | (StepEventBase & { type: 'approval-decision'; approvalId: string; decision: 'approved' | 'rejected' | 'expired' })
  | (StepEventBase & { type: 'timer-set'; fireAt: number })
  /** The run is waiting for people or timers only: it is stored and leaves memory until something wakes it. */
  | (EventBase & { type: 'run-park'; wakeAt: number | null })
  /** A stored run is running again (after a restart, a lease takeover, an approval or a timer). */
  | (EventBase & { type: 'run-resume'; replayed: number })
  | (StepEventBase & { type: 'compensation-start'; target: string })
  | (StepEventBase & { type: 'compensation-finish'; target: string; durationMs: number })
  | (StepEventBase & { type: 'compensation-error'; target: string; error: SerializedError; recorded: boolean });

export type RunEventType = RunEvent['type'];

/** Usage summed over a step or a run. */
export interface UsageTotals {
  tokens: number;
  costUsd: number;
}

export function totalsOf(usage: Usage): UsageTotals {
  const tokens = usage.tokens ?? (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0);
  return { tokens, costUsd: usage.costUsd ?? 0 };
}
