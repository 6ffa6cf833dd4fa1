/**
 * What `GET /v1/orchestrations/:id` shows: the stored run's status and result, and each step's state — live from the
 * engine when the run executes in this process, else from the journal — with targets shown as service names.
 */
import type { JournalEntry, RunHandle, StoredRun, StoredRunStatus } from '@baton/core';
import type { Orchestration, OrchestrationStatus, OrchestrationStep } from '@baton/protocol';
import type { Selectable } from 'kysely';
import type { OrchestrationsTable } from '../db/server-tables.js';
import { displayTarget, unscopeText } from '../services/target-name.js';
import { reusedSteps } from './reuse-target.js';
import { type StepNeeds, startedElsewhere } from './started-elsewhere.js';

export type OrchestrationRow = Selectable<OrchestrationsTable>;

const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

export function statusOf(run: StoredRun | undefined, row: OrchestrationRow): OrchestrationStatus {
  if (run === undefined) return row.status as OrchestrationStatus;
  const map: Record<StoredRunStatus, OrchestrationStatus> = {
    ready: 'running',
    running: 'running',
    waiting: 'waiting',
    compensating: 'compensating',
    succeeded: 'succeeded',
    failed: 'failed',
    cancelled: 'cancelled',
  };
  return map[run.status];
}

/** Errors and data may name scoped targets; callers see service names. */
export function unscoped<T>(projectId: string, value: T): T {
  if (value === undefined || value === null || typeof value !== 'object') {
    return typeof value === 'string' ? (unscopeText(projectId, value) as T) : value;
  }
  return JSON.parse(unscopeText(projectId, JSON.stringify(value))) as T;
}

function errorBody(projectId: string, error: unknown): Orchestration['error'] {
  if (error === undefined || error === null) return null;
  if (typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
    return unscoped(projectId, error as { message: string });
  }
  return { message: unscopeText(projectId, String(error)) };
}

function errorOf(run: StoredRun | undefined, row: OrchestrationRow): Orchestration['error'] {
  if (run === undefined) return row.error === null ? null : errorBody(row.project_id, JSON.parse(row.error));
  return run.status === 'failed' || run.status === 'cancelled' ? errorBody(row.project_id, run.error) : null;
}

interface StepState {
  status: OrchestrationStep['status'];
  target?: string;
  attempts: number;
  startedAt?: number;
  finishedAt?: number;
  input?: unknown;
  output?: unknown;
  error?: unknown;
  usage: OrchestrationStep['usage'];
}

function stepsFromJournal(journal: readonly JournalEntry[]): Map<string, StepState> {
  const steps = new Map<string, StepState>();
  for (const entry of journal) {
    if (entry.stepKey === null) continue;
    const data = (entry.data ?? {}) as Record<string, unknown>;
    if (entry.type === 'step-finish') {
      steps.set(entry.stepKey, {
        status: 'succeeded',
        ...(typeof data.target === 'string' ? { target: data.target } : {}),
        attempts: typeof data.attempts === 'number' ? data.attempts : 1,
        ...(typeof data.startedAt === 'number' ? { startedAt: data.startedAt } : {}),
        finishedAt: entry.createdAt,
        input: data.input,
        output: data.output,
        usage: (data.usage ?? {}) as StepState['usage'],
      });
    } else if (entry.type === 'step-skip') {
      steps.set(entry.stepKey, { status: 'skipped', attempts: 0, finishedAt: entry.createdAt, usage: {} });
    }
  }
  return steps;
}

/**
 * The steps a failed run had started that have no entry of their own (the one that failed, those stopped with it),
 * as its `run-fail` entry keeps them: tried, and how often, rather than never reached.
 */
function stepsStoppedByFailure(journal: readonly JournalEntry[]): Map<string, StepState> {
  const steps = new Map<string, StepState>();
  const failed = journal.findLast((entry) => entry.type === 'run-fail');
  const stopped = (failed?.data as { steps?: unknown } | null | undefined)?.steps;
  if (failed === undefined || typeof stopped !== 'object' || stopped === null) return steps;
  for (const [id, value] of Object.entries(stopped as Record<string, Record<string, unknown>>)) {
    steps.set(id, {
      status: value.status === 'failed' ? 'failed' : 'cancelled',
      ...(typeof value.target === 'string' ? { target: value.target } : {}),
      attempts: typeof value.attempts === 'number' ? value.attempts : 1,
      ...(typeof value.startedAt === 'number' ? { startedAt: value.startedAt } : {}),
      finishedAt: failed.createdAt,
      ...(value.error === undefined ? {} : { error: value.error }),
      usage: {},
    });
  }
  return steps;
}

function stepsFromHandle(handle: RunHandle): Map<string, StepState> {
  const steps = new Map<string, StepState>();
  for (const [id, step] of Object.entries(handle.snapshot().steps)) {
    steps.set(id, {
      status: step.status,
      ...(step.target === undefined ? {} : { target: step.target }),
      attempts: step.attempts,
      ...(step.startedAt === undefined ? {} : { startedAt: step.startedAt }),
      ...(step.finishedAt === undefined ? {} : { finishedAt: step.finishedAt }),
      output: step.output,
      error: step.error,
      usage: step.usage,
    });
  }
  return steps;
}

/** The error codes that name the step that failed the run: a step failed for good, or an approval said no. */
const STEP_FAILURES = new Set(['step-failed', 'approval-rejected', 'approval-expired']);

/**
 * The step a failed run names in its error — `step-failed` (the step, its target, its attempts), or an approval that
 * was rejected or expired (`approval-rejected` with the reason the person gave): a step that failed for good is not
 * journaled, so its state comes from there, with what the `run-fail` entry kept of it, once the run's handle is gone.
 */
function failedStepOf(
  run: StoredRun | undefined,
  stopped: ReadonlyMap<string, StepState>,
): { id: string; state: StepState } | undefined {
  const error = run?.status === 'failed' ? (run.error as Record<string, unknown> | null | undefined) : undefined;
  if (!STEP_FAILURES.has(String(error?.code)) || typeof error?.stepId !== 'string') return undefined;
  const kept = stopped.get(error.stepId);
  // When the run failed (its `run-fail` entry), else when it ended, after its compensations.
  const finishedAt = kept?.finishedAt ?? run?.finishedAt ?? undefined;
  return {
    id: error.stepId,
    state: {
      ...kept,
      status: 'failed',
      ...(typeof error.target === 'string' ? { target: error.target } : {}),
      attempts: typeof error.attempts === 'number' ? error.attempts : (kept?.attempts ?? 1),
      ...(finishedAt === undefined ? {} : { finishedAt }),
      error,
      usage: {},
    },
  };
}

export interface ViewSources {
  row: OrchestrationRow;
  run: StoredRun | undefined;
  journal: readonly JournalEntry[];
  handle: RunHandle | undefined;
  parallelGroups: string[][];
  /** Steps whose task waits for a connected instance right now. */
  waiting: ReadonlySet<string>;
  /**
   * For a run another replica holds, what each step waits for: the steps it has begun there (`started-elsewhere.ts`)
   * show `running` until their entries come, with their attempts and start.
   */
  heldElsewhere?: readonly StepNeeds[];
}

const BEGUN_ELSEWHERE: StepState = { status: 'running', attempts: 0, usage: {} };

export function orchestrationView(sources: ViewSources): Orchestration {
  const { row, run, journal, handle } = sources;
  const projectId = row.project_id;
  const plan = JSON.parse(row.plan) as Orchestration['plan'];
  const fromJournal = stepsFromJournal(journal);
  const begunElsewhere = sources.heldElsewhere && startedElsewhere(sources.heldElsewhere, fromJournal);
  const live = handle === undefined ? new Map<string, StepState>() : stepsFromHandle(handle);
  const status = statusOf(run, row);
  const stopped = stepsStoppedByFailure(journal);
  const failedStep = failedStepOf(run, stopped);
  const ended = status === 'failed' || status === 'cancelled';
  // A retry's steps that reuse an earlier output show the service and input they first ran with.
  const reused = reusedSteps(run?.plan);
  const steps: OrchestrationStep[] = (plan?.steps ?? []).map((step) => {
    const known =
      fromJournal.get(step.id) ??
      live.get(step.id) ??
      (failedStep?.id === step.id ? failedStep.state : undefined) ??
      stopped.get(step.id);
    const begun = (known === undefined || known.status === 'pending') && begunElsewhere?.has(step.id);
    const found = begun ? BEGUN_ELSEWHERE : known;
    const from = reused.get(step.id);
    const state =
      found === undefined || from === undefined
        ? found
        : { ...found, input: from.input, ...(from.target === null ? {} : { target: from.target }) };
    const running = state?.status === 'running' || state?.status === 'pending';
    const waiting = sources.waiting.has(step.id) && (state === undefined || running);
    return {
      id: step.id,
      // A step the run never came to: skipped when the run succeeded without it, cancelled when the run ended first.
      status: waiting
        ? 'waiting-for-service'
        : (state?.status ?? (status === 'succeeded' ? 'skipped' : ended ? 'cancelled' : 'pending')),
      service: displayTarget(projectId, state?.target),
      attempts: state?.attempts ?? 0,
      startedAt: iso(state?.startedAt),
      finishedAt: iso(state?.finishedAt),
      ...(state?.input === undefined ? {} : { input: state.input }),
      ...(state?.output === undefined ? {} : { output: state.output }),
      error: errorBody(projectId, state?.error),
      usage: state?.usage ?? {},
    };
  });
  const usage = { tokens: 0, costUsd: 0 };
  // What planning the action cost counts too (a template or a cached plan costs nothing).
  const planning = row.planning === null ? null : (JSON.parse(row.planning) as NonNullable<Orchestration['planning']>);
  if (planning !== null) {
    usage.tokens += planning.usage.inputTokens + planning.usage.outputTokens;
    usage.costUsd += planning.usage.costUsd;
  }
  for (const step of steps) {
    usage.tokens += step.usage.tokens ?? (step.usage.inputTokens ?? 0) + (step.usage.outputTokens ?? 0);
    usage.costUsd += step.usage.costUsd ?? 0;
  }
  return {
    id: row.id,
    action: { content: row.action },
    status,
    plan,
    planning,
    parallelGroups: sources.parallelGroups,
    steps,
    ...(run?.status === 'succeeded' ? { result: run.output ?? null } : {}),
    error: errorOf(run, row),
    usage,
    retries: row.retries,
    createdAt: iso(row.created_at) as string,
    updatedAt: iso(Math.max(row.updated_at, run?.updatedAt ?? 0)) as string,
    finishedAt: iso(run?.finishedAt ?? row.finished_at),
  };
}
