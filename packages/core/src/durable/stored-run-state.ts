/**
 * What a stored run carries over between its lives: the options that survive a restart, and its finished steps and
 * compensable sub-calls (in journal order, which is the order they finished).
 */
import type { FinishedStep } from '../run/run-context.js';
import type { RunOptions } from '../run/run-types.js';
import { finishedSubCall } from '../run/sub-call-compensation.js';
import type { RunMemo } from './step-memo.js';

/** Run options that survive a restart (no signal, no callback). */
export interface StoredOptions {
  maxParallel?: number;
  timeoutMs?: number;
  budget?: RunOptions['budget'];
  deadline?: { at: number; totalMs: number };
  /** Locks of an earlier run to keep (`RunOptions.versions`), for a run submitted for any engine. */
  versions?: RunOptions['versions'];
}

export function storedOptions(options: RunOptions): StoredOptions {
  const stored: StoredOptions = {};
  if (options.maxParallel !== undefined) stored.maxParallel = options.maxParallel;
  if (options.timeoutMs !== undefined) stored.timeoutMs = options.timeoutMs;
  if (options.budget !== undefined) stored.budget = options.budget;
  if (options.versions !== undefined) stored.versions = options.versions;
  if (options.deadline !== undefined) {
    const at = options.deadline instanceof Date ? options.deadline.getTime() : Date.now() + options.deadline;
    stored.deadline = { at, totalMs: options.deadline instanceof Date ? at - Date.now() : options.deadline };
  }
  return stored;
}

export function withEarlierSteps(finished: readonly FinishedStep[], memo: RunMemo): FinishedStep[] {
  const known = new Set(finished.map((step) => step.stepKey));
  return [...finishedFromMemo(memo).filter((step) => !known.has(step.stepKey)), ...finished];
}

export function finishedFromMemo(memo: RunMemo): FinishedStep[] {
  const out: FinishedStep[] = [];
  for (const [stepKey, entry] of memo.steps) {
    if (entry.status !== 'succeeded' || entry.target === undefined) continue;
    const stepId = stepKey.split('/').pop() as string;
    out.push({
      stepKey,
      stepId,
      target: entry.target,
      input: entry.input,
      output: entry.output,
      after: entry.after ?? [],
    });
  }
  for (const [stepKey, calls] of memo.subCalls) {
    for (const [id, entry] of calls) {
      if (entry.kind !== 'call' || entry.error || entry.target === undefined || !entry.compensable) continue;
      out.push(finishedSubCall(`${stepKey}#${id}`, { target: entry.target, output: entry.output }, entry.compensable));
    }
  }
  return out;
}
