/**
 * Events a run's journal implies without holding them as entries: a person's decision on an approval — the entry that
 * ends the approval step says it (its `step-finish` output, or the `run-fail` whose error is that approval's) — and a
 * parked run running again (any entry after its `run-park`). The event stream sends them without an id, just before
 * the entry that implies them, so a client resuming with `Last-Event-ID` gets them again exactly when it did not get
 * that entry.
 */
import type { JournalEntry } from '@baton/core';

export interface ImpliedEvent {
  type: 'approval-decision' | 'run-resume';
  stepId: string | null;
  at: number;
  data: Record<string, unknown>;
}

type Data = Record<string, unknown>;

const dataOf = (entry: JournalEntry): Data => (entry.data ?? {}) as Data;

/**
 * The approval an `approval-request` entry asked for, as `[step key, approval id]`; undefined for any other entry. The
 * caller keeps them, reading the journal in order, for `impliedBefore`.
 */
export function approvalAsked(entry: JournalEntry): [string, string] | undefined {
  const approvalId = dataOf(entry).approvalId;
  if (entry.type !== 'approval-request' || entry.stepKey === null || typeof approvalId !== 'string') return undefined;
  return [entry.stepKey, approvalId];
}

/** The decision `entry` shows on an approval asked earlier (`asked`: step key → approval id), if it shows one. */
function decisionIn(entry: JournalEntry, asked: ReadonlyMap<string, string>): ImpliedEvent | undefined {
  const data = dataOf(entry);
  if (entry.type === 'step-finish' && entry.stepKey !== null && asked.has(entry.stepKey)) {
    const decision = (data.output as Data | undefined)?.decision;
    if (decision !== 'approved' && decision !== 'expired') return undefined;
    const approvalId = asked.get(entry.stepKey);
    return { type: 'approval-decision', stepId: entry.stepKey, at: entry.createdAt, data: { approvalId, decision } };
  }
  const error = entry.type === 'run-fail' ? (data.error as Data | undefined) : undefined;
  if (error?.code !== 'approval-rejected' && error?.code !== 'approval-expired') return undefined;
  const stepKey = [...asked].find(([, id]) => id === error.approvalId)?.[0];
  return {
    type: 'approval-decision',
    stepId: stepKey ?? (typeof error.stepId === 'string' ? error.stepId : null),
    at: entry.createdAt,
    data: {
      approvalId: error.approvalId,
      decision: error.code === 'approval-rejected' ? 'rejected' : 'expired',
      ...(typeof error.reason === 'string' ? { reason: error.reason } : {}),
    },
  };
}

/**
 * What to send before `entry` (`previous` is the entry before it in the journal; `asked`, the approvals asked before
 * it by step key): the approval decision it shows, then, after a `run-park`, the run's resumption (the decision, or
 * the timer, is what woke it).
 *
 * @example
 * impliedBefore(stepFinishOfOk, runPark, new Map([['ok', 'apr-1']])); // approval-decision (approved), run-resume
 */
export function impliedBefore(
  entry: JournalEntry,
  previous: JournalEntry | undefined,
  asked: ReadonlyMap<string, string>,
): ImpliedEvent[] {
  const implied: ImpliedEvent[] = [];
  const decision = decisionIn(entry, asked);
  if (decision !== undefined) implied.push(decision);
  if (previous?.type === 'run-park') {
    implied.push({
      type: 'run-resume',
      stepId: null,
      at: entry.createdAt,
      data: { parkedAt: new Date(previous.createdAt).toISOString() },
    });
  }
  return implied;
}
