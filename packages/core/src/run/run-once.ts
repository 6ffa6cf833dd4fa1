/** A step's (or sub-call's) work under a business idempotency key: one execution per key, its outcome shared. */
import { abortError, raceAbort } from '../resilience/abort.js';
import type { StepOutcome } from './attempting.js';
import type { RunContext } from './run-context.js';

/**
 * Runs `start` under an idempotency key: a call already recorded under it is awaited and its outcome reused. When that
 * call fails (or its run is cancelled) the key is free again and this call does the work. Claiming a free key happens
 * synchronously, so concurrent runs cannot both find it free.
 */
export async function runOnce(
  run: RunContext,
  storeKey: string,
  start: () => Promise<StepOutcome>,
): Promise<StepOutcome> {
  const store = run.services.idempotency;
  let failed: Promise<unknown> | undefined;
  for (;;) {
    const earlier = store.get(storeKey);
    if (!earlier || earlier === failed) {
      const work = start();
      store.set(storeKey, work);
      return work;
    }
    try {
      const outcome = (await raceAbort(earlier, run.signal)) as StepOutcome;
      return { ...outcome, reused: true, attempts: 0, usage: { tokens: 0, costUsd: 0 } };
    } catch {
      if (run.signal.aborted) throw abortError(run.signal);
      failed = earlier;
    }
  }
}
