/**
 * The state of every step of a followed orchestration, kept from its event stream (journal events and live notes)
 * and settled at the end from the orchestration's final view. Both displays, live and plain, draw from it.
 */
import type { OrchestrationEvent, OrchestrationStep } from '@baton/protocol';
import { type PlanLike, stepTargets } from '../render/plan-tree.js';
import { clip, formatDuration, shortJson } from '../render/text-format.js';

export type StepState =
  | 'waiting'
  | 'waiting-for-service'
  | 'running'
  | 'retrying'
  | 'done'
  | 'failed'
  | 'skipped'
  | 'cancelled';

export interface StepView {
  id: string;
  /** What the plan says the step calls. */
  target: string;
  state: StepState;
  /** The service (and revision) that ran it, once known. */
  service?: string;
  attempts: number;
  startedAt?: number;
  finishedAt?: number;
  /** Why it waits, the last error, the reason it was skipped, its last progress report. */
  note?: string;
}

const SYMBOLS: Record<StepState, string> = {
  waiting: '·',
  'waiting-for-service': '◌',
  running: '●',
  retrying: '↻',
  done: '✓',
  failed: '✗',
  skipped: '-',
  cancelled: '⊘',
};

const FROM_VIEW: Record<OrchestrationStep['status'], StepState> = {
  pending: 'waiting',
  'waiting-for-service': 'waiting-for-service',
  running: 'running',
  succeeded: 'done',
  failed: 'failed',
  skipped: 'skipped',
  cancelled: 'cancelled',
};

const ENDED: ReadonlySet<StepState> = new Set(['done', 'failed', 'skipped', 'cancelled']);

type EventData = Record<string, unknown>;

const messageOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && typeof (error as EventData).message === 'string'
    ? ((error as EventData).message as string)
    : shortJson(error, 200);

/** The tries of `stepId` a `run-fail` entry tells: under `steps` (each stopped step), or in its step-failed error. */
function attemptsIn(data: EventData, stepId: string): number | undefined {
  const stopped = (data.steps as Record<string, EventData> | undefined)?.[stepId]?.attempts;
  if (typeof stopped === 'number') return stopped;
  const error = data.error as EventData | undefined;
  return error?.stepId === stepId && typeof error.attempts === 'number' ? error.attempts : undefined;
}

export class StepBoard {
  private readonly views = new Map<string, StepView>();

  constructor(plan: PlanLike, parallelGroups: readonly (readonly string[])[]) {
    const targets = stepTargets(plan);
    const ordered = [...new Set([...parallelGroups.flat(), ...plan.steps.map((step) => step.id)])];
    for (const id of ordered) this.views.set(id, { id, target: targets.get(id) ?? '?', state: 'waiting', attempts: 0 });
  }

  /** Every step, in the order its group runs. */
  steps(): StepView[] {
    return [...this.views.values()];
  }

  /** Applies one event; returns the step whose state changed, if one did (a plain display prints it). */
  apply(event: OrchestrationEvent): StepView | undefined {
    const step = this.stepOf(event);
    if (step === undefined) return undefined;
    const data = (event.data ?? {}) as EventData;
    const at = Date.parse(event.at);
    const before = step.state;
    // A note may name the service without its revision (`weather`) after one named it with (`weather@1`).
    if (typeof data.service === 'string' && (step.service === undefined || data.service.includes('@'))) {
      step.service = data.service;
    }
    switch (event.type) {
      case 'waiting-for-service':
        step.state = 'waiting-for-service';
        step.note = `no instance of ${String(data.service ?? step.target)} connected yet`;
        break;
      case 'step-start':
      case 'task-dispatched':
        if (ENDED.has(step.state)) return undefined;
        step.state = 'running';
        step.startedAt ??= at;
        if (typeof data.attempt === 'number') step.attempts = data.attempt;
        step.note = undefined;
        break;
      case 'step-retry': {
        // `attempt` is the number the next call will have.
        const next = typeof data.attempt === 'number' ? data.attempt : step.attempts + 1;
        step.state = 'retrying';
        step.attempts = next - 1;
        step.note = `attempt ${next - 1} failed: ${clip(messageOf(data.error), 100)}; attempt ${next} in ${formatDuration(Number(data.delayMs))}`;
        break;
      }
      case 'step-progress':
        step.note = `progress ${shortJson(data.data, 60)}`;
        return undefined;
      case 'step-finish':
        step.state = 'done';
        step.finishedAt = at;
        if (typeof data.attempts === 'number') step.attempts = data.attempts;
        step.note = undefined;
        break;
      case 'step-error':
        step.state = 'failed';
        step.finishedAt = at;
        if (typeof data.attempt === 'number') step.attempts = data.attempt;
        if (typeof data.durationMs === 'number') step.startedAt = at - data.durationMs;
        step.note = clip(messageOf(data.error), 160);
        break;
      case 'step-skip':
        step.state = 'skipped';
        step.note = typeof data.reason === 'string' ? data.reason : undefined;
        break;
      case 'run-fail':
      case 'run-cancel': {
        // The step that failed the run is named in its error: journaled, unlike the step's own live `step-error`.
        if (ENDED.has(step.state)) return undefined;
        step.state = event.type === 'run-fail' ? 'failed' : 'cancelled';
        step.finishedAt = at;
        step.note = clip(messageOf(data.error), 160);
        // How often it was tried: the entry keeps it for the steps the run stopped, the error for the step that failed.
        const attempts = attemptsIn(data, step.id);
        if (attempts !== undefined) step.attempts = Math.max(step.attempts, attempts);
        break;
      }
      case 'approval-request':
        // A step the stream never saw start is already `waiting`: the new note is the change to show.
        return this.waitForApproval(step, String(data.approvalId));
      default:
        return undefined;
    }
    return step.state === before && event.type !== 'step-retry' ? undefined : step;
  }

  /**
   * Marks the steps of these pending approvals as waiting for them (asked before this follower subscribed); returns
   * the steps that were not shown as waiting for that approval yet.
   */
  seedApprovals(approvals: ReadonlyArray<{ stepId: string; id: string }>): StepView[] {
    const changed: StepView[] = [];
    for (const approval of approvals) {
      const step = this.views.get(approval.stepId) ?? this.views.get(approval.stepId.split('/')[0] as string);
      const shown = step === undefined ? undefined : this.waitForApproval(step, approval.id);
      if (shown !== undefined) changed.push(shown);
    }
    return changed;
  }

  /** The step waits for a person; returns it when that is news (another approval, or none shown before). */
  private waitForApproval(step: StepView, approvalId: string): StepView | undefined {
    const note = `waiting for approval ${approvalId}: baton approvals approve ${approvalId}`;
    if (step.state === 'waiting' && step.note === note) return undefined;
    step.state = 'waiting';
    step.note = note;
    return step;
  }

  /**
   * Takes from the orchestration's view the steps that are already running or waiting for their service: their live
   * notes were sent before this follower subscribed. Only steps the stream has not moved yet change; returns them.
   */
  seed(steps: readonly OrchestrationStep[]): StepView[] {
    const changed: StepView[] = [];
    for (const current of steps) {
      const step = this.views.get(current.id);
      if (step?.state !== 'waiting' || (current.status !== 'running' && current.status !== 'waiting-for-service')) {
        continue;
      }
      step.state = FROM_VIEW[current.status];
      step.attempts = current.attempts;
      if (current.service !== null) step.service = current.service;
      if (current.startedAt !== null) step.startedAt = Date.parse(current.startedAt);
      changed.push(step);
    }
    return changed;
  }

  /**
   * Takes each step's final state from the orchestration's view (what the stream may not have told), except that a
   * step the stream saw end does not go back to waiting (the view shows only journaled steps as ended).
   */
  settle(steps: readonly OrchestrationStep[]): void {
    for (const final of steps) {
      const step = this.views.get(final.id);
      if (step === undefined) continue;
      const state = FROM_VIEW[final.status];
      if (ENDED.has(step.state) && !ENDED.has(state)) continue;
      step.state = state;
      step.attempts = final.attempts;
      if (final.service !== null) step.service = final.service;
      if (final.startedAt !== null) step.startedAt = Date.parse(final.startedAt);
      if (final.finishedAt !== null) step.finishedAt = Date.parse(final.finishedAt);
      if (final.error !== null) step.note = clip(final.error.message, 160);
      else if (step.state === 'done') step.note = undefined;
    }
  }

  /**
   * A loop's inner steps (`refine/iteration-2/draft`) count for the loop step; a run's failure counts for the step its
   * error names.
   */
  private stepOf(event: OrchestrationEvent): StepView | undefined {
    const stepId =
      event.stepId ?? ((event.data as { error?: { stepId?: unknown } } | null)?.error?.stepId as string | undefined);
    if (typeof stepId !== 'string') return undefined;
    return this.views.get(stepId) ?? this.views.get(stepId.split('/')[0] as string);
  }
}

/** `✓ done 0.4s`, `● running 3.1s`, `↻ retrying attempt 1 failed: …`: the state part of a step's line. */
export function describeState(step: StepView, now: number): string {
  const elapsed =
    step.startedAt === undefined
      ? ''
      : ` ${formatDuration((step.finishedAt ?? (ENDED.has(step.state) ? step.startedAt : now)) - step.startedAt)}`;
  const timing = step.state === 'running' || step.state === 'done' || step.state === 'failed' ? elapsed : '';
  return `${SYMBOLS[step.state]} ${step.state}${timing}${step.note ? `  ${step.note}` : ''}`;
}
