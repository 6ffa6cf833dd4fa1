/**
 * What a failing run's `run-fail` entry keeps of the steps it had started that end without an entry of their own:
 * the one that failed, and those stopped with it.
 */
import type { RunResult } from '../run/run-types.js';

export interface StoppedStep {
  status: 'failed' | 'cancelled';
  attempts: number;
  startedAt?: number;
  /** `name@version` of the target last tried. */
  target?: string;
  /** Why the failed one failed (an abort, a budget: errors that are not the run's `step-failed` itself). */
  error?: unknown;
}

/**
 * The steps a failing run had started that end without an entry of their own — the one that failed, those stopped
 * with it — as the run saw them: how often each was tried, since when, on which target. Kept in its `run-fail`
 * entry, so a view of the run shows them tried, not as steps it never came to.
 */
export function stoppedSteps(result: RunResult): Record<string, StoppedStep> | undefined {
  const stopped: Record<string, StoppedStep> = {};
  for (const [id, step] of Object.entries(result.steps)) {
    if (step.startedAt === undefined || step.status === 'succeeded' || step.status === 'skipped') continue;
    const failed = step.status === 'failed';
    // A step's target is known once it ends; one stopped mid-call was calling the version its reference locked.
    const target = step.target ?? result.versions?.[id]?.target;
    stopped[id] = {
      status: failed ? 'failed' : 'cancelled',
      // A step's attempts count the tries that ended; the one it was stopped in counts too.
      attempts: failed ? Math.max(1, step.attempts) : step.attempts + 1,
      startedAt: step.startedAt,
      ...(target === undefined ? {} : { target }),
      ...(failed && step.error !== undefined ? { error: step.error } : {}),
    };
  }
  return Object.keys(stopped).length === 0 ? undefined : stopped;
}
