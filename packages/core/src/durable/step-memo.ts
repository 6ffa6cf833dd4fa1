/**
 * Rebuilds what a run already did from its journal: finished and skipped steps (by step key) are never run again,
 * their finished sub-calls are replayed when a step runs again, pending timers keep their original fire time, and
 * compensations already done are not repeated.
 */
import { retryKey } from '../run/retry-memo.js';
import type { RetryMemoEntry, StepMemoEntry, SubCallMemoEntry } from '../run/run-context.js';
import type { JournalEntry } from '../storage/run-store.js';

export type { RetryMemoEntry, StepMemoEntry, SubCallMemoEntry };

export interface RunMemo {
  steps: Map<string, StepMemoEntry>;
  /** Finished sub-calls and memos (`HandlerContext.call`, `.memo`) by step key, then by id. */
  subCalls: Map<string, Map<string, SubCallMemoEntry>>;
  /** Timers by step key, as first set: when they fire and when they were set (ms since epoch). */
  timers: Map<string, { fireAt: number; setAt: number }>;
  /** Approval ids by step key. */
  approvals: Map<string, string>;
  /** Step keys whose compensation finished. */
  compensated: Set<string>;
  /** The last `retry-scheduled` entry of each target call, by `retryKey(stepKey, scope)`. */
  retries: Map<string, RetryMemoEntry>;
  /** The journal's last sequence number, or -1 when empty. */
  lastSeq: number;
  /** Set once the run failed: compensation resumes from here after a restart. */
  failure: { error: unknown; payload: unknown } | undefined;
  /** `run-finish` is journaled: a crash came before the store recorded it, which is all that is left to do. */
  finished: boolean;
}

export function emptyMemo(): RunMemo {
  return {
    steps: new Map(),
    subCalls: new Map(),
    timers: new Map(),
    approvals: new Map(),
    compensated: new Set(),
    retries: new Map(),
    lastSeq: -1,
    failure: undefined,
    finished: false,
  };
}

export function memoFromJournal(entries: readonly JournalEntry[]): RunMemo {
  const memo = emptyMemo();
  for (const entry of entries) {
    memo.lastSeq = entry.seq;
    const key = entry.stepKey;
    if (entry.type === 'run-fail') {
      const data = (entry.data ?? {}) as Record<string, unknown>;
      memo.failure = { error: data.error, payload: data.payload };
    }
    if (entry.type === 'run-finish') memo.finished = true;
    if (key === null) continue;
    const data = (entry.data ?? {}) as Record<string, unknown>;
    switch (entry.type) {
      case 'step-finish':
        memo.steps.set(key, {
          status: 'succeeded',
          output: data.output,
          target: data.target as string | undefined,
          attempts: data.attempts as number | undefined,
          usage: data.usage as StepMemoEntry['usage'],
          evidence: data.evidence,
          input: data.input,
          after: data.after as string[] | undefined,
        });
        break;
      case 'sub-call-finish':
        rememberSubCall(memo, key, data);
        break;
      case 'step-skip':
        memo.steps.set(key, { status: 'skipped', reason: data.reason as string | undefined });
        break;
      case 'retry-scheduled':
        rememberRetry(memo, key, data);
        break;
      case 'timer-set':
        if (!memo.timers.has(key)) memo.timers.set(key, { fireAt: data.fireAt as number, setAt: entry.createdAt });
        break;
      case 'approval-request':
        memo.approvals.set(key, data.approvalId as string);
        break;
      case 'compensation-finish':
        memo.compensated.add(key);
        break;
    }
  }
  return memo;
}

/** Entries from a later attempt replace earlier ones: the last says how far the target call got. */
function rememberRetry(memo: RunMemo, stepKey: string, data: Record<string, unknown>): void {
  const { scope, failed, attempts, retryAt } = data;
  if (typeof scope !== 'string' || typeof failed !== 'number' || typeof attempts !== 'number') return;
  memo.retries.set(retryKey(stepKey, scope), {
    failed,
    attempts,
    retryAt: typeof retryAt === 'number' ? retryAt : Date.now(),
  });
}

function rememberSubCall(memo: RunMemo, stepKey: string, data: Record<string, unknown>): void {
  let calls = memo.subCalls.get(stepKey);
  if (!calls) {
    calls = new Map();
    memo.subCalls.set(stepKey, calls);
  }
  const usage = (data.usage ?? {}) as Partial<SubCallMemoEntry['usage']>;
  const entry: SubCallMemoEntry = {
    kind: data.kind === 'memo' ? 'memo' : 'call',
    output: outputOf(data),
    usage: { tokens: usage.tokens ?? 0, costUsd: usage.costUsd ?? 0 },
  };
  if (typeof data.target === 'string') entry.target = data.target;
  if (typeof data.ref === 'string') entry.ref = data.ref;
  if (typeof data.inputDigest === 'string') entry.inputDigest = data.inputDigest;
  if (typeof data.error === 'object' && data.error !== null) entry.error = data.error as SubCallMemoEntry['error'];
  if (typeof data.compensable === 'object' && data.compensable !== null) {
    const compensable = data.compensable as Partial<NonNullable<SubCallMemoEntry['compensable']>>;
    entry.compensable = {
      stepId: String(compensable.stepId),
      input: compensable.input,
      within: typeof compensable.within === 'string' ? compensable.within : stepKey,
      after: Array.isArray(compensable.after) ? compensable.after.map(String) : [],
    };
  }
  // The first entry wins: a step re-run in a later life replays it and never journals the id again.
  if (!calls.has(String(data.id))) calls.set(String(data.id), entry);
}

/**
 * A sub-call's output as journaled: JSON text (`json`), `undefined` when marked so, or — in entries written before the
 * text form — the value itself.
 */
function outputOf(data: Record<string, unknown>): unknown {
  if (data.undefined === true) return undefined;
  return typeof data.json === 'string' ? JSON.parse(data.json) : data.output;
}
