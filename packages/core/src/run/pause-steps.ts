/**
 * Runs the steps that pause a run: an approval (a person approves, rejects, or lets it expire) and a wait (a timer).
 * Both mark the step as blocked while they wait, so a durable engine can park a run that waits on nothing else.
 */
import { ApprovalError } from '../errors/approval-error.js';
import { ValidationError } from '../errors/validation-error.js';
import { parseWaitUntil } from '../plan/compile-pause.js';
import type { CompiledStep } from '../plan/compiled-plan.js';
import type { Lookup } from '../plan/reference.js';
import type { RunContext } from './run-context.js';

export interface ApprovalOutput {
  decision: 'approved' | 'expired';
  data: unknown;
}

export async function runApprovalStep(
  run: RunContext,
  step: CompiledStep,
  lookup: Lookup,
  stepKey: string,
  path: readonly string[],
  /** Told when the approval was first asked for, once decided: the step's start, across restarts. */
  requestedAt: (at: number) => void = () => {},
): Promise<ApprovalOutput> {
  const spec = step.approval as NonNullable<CompiledStep['approval']>;
  const prompt = String(spec.prompt.resolve(lookup));
  const data = spec.data.resolve(lookup);
  let unblock: (() => void) | undefined;
  try {
    const outcome = await run.pauses.approval({
      runId: run.runId,
      stepId: step.id,
      stepKey,
      prompt,
      data,
      expiresInMs: spec.expiresInMs,
      signal: run.signal,
      created: (approvalId, expiresAt) => {
        unblock ??= run.activity.block(expiresAt);
        run.emit({ type: 'approval-request', stepId: step.id, attempt: 1, path, approvalId, prompt, data, expiresAt });
      },
    });
    requestedAt(outcome.requestedAt);
    run.emit({
      type: 'approval-decision',
      stepId: step.id,
      attempt: 1,
      path,
      approvalId: outcome.approvalId,
      decision: outcome.status,
    });
    if (outcome.status === 'approved') return { decision: 'approved', data: outcome.decision ?? data };
    if (outcome.status === 'expired' && spec.onExpire === 'default') return { decision: 'expired', data: spec.default };
    const reason = typeof outcome.decision === 'string' ? outcome.decision : undefined;
    throw new ApprovalError({ approvalId: outcome.approvalId, stepId: step.id, outcome: outcome.status, reason });
  } finally {
    unblock?.();
  }
}

export async function runWaitStep(
  run: RunContext,
  step: CompiledStep,
  lookup: Lookup,
  stepKey: string,
  path: readonly string[],
  /** Told when the timer was first set: the step's start, across restarts. */
  setAt: (at: number) => void = () => {},
): Promise<{ firedAt: number }> {
  const spec = step.wait as NonNullable<CompiledStep['wait']>;
  let fireAt: number;
  if (spec.durationMs !== undefined) fireAt = Date.now() + spec.durationMs;
  else {
    const raw = spec.until?.resolve(lookup);
    const parsed = parseWaitUntil(raw);
    if (parsed === undefined) {
      throw new ValidationError(`step "${step.id}" cannot wait`, [
        { path: `${step.id}.wait.until`, code: 'type', message: `until must be a date, got ${JSON.stringify(raw)}` },
      ]);
    }
    fireAt = parsed;
  }
  let unblock: (() => void) | undefined;
  try {
    const firedAt = await run.pauses.timer({
      stepKey,
      fireAt,
      signal: run.signal,
      set: (at, first) => {
        setAt(first);
        run.emit({ type: 'timer-set', stepId: step.id, attempt: 1, path, fireAt: at });
        if (at > Date.now()) unblock = run.activity.block(at);
      },
    });
    return { firedAt };
  } finally {
    unblock?.();
  }
}
