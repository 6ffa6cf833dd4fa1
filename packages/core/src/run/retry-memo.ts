/**
 * Retries across the lives of a durable run. When an attempt fails and the step will try again, a `retry-scheduled`
 * entry journals how many attempts of that target call failed and when the next may start, so a run taken up again
 * after a crash or a lost lease goes on counting from there, waiting out the rest of the delay, instead of giving the
 * target `maxAttempts` fresh tries in every life. Written early (nothing waits for it). Only a failure followed by a
 * retry is journaled, so a later life may try a target once more than the policy allows: after an attempt that failed
 * just before a crash, and after a target's last failed attempt when the step had gone on to a fallback.
 */
import type { NewJournalEntry } from '../storage/run-store.js';

/** A target call of a step: `scope` is `''` for the step's own target, `fallback-<n>/` for a fallback. */
export function retryKey(stepKey: string, scope: string): string {
  return `${stepKey}\n${scope}`;
}

export function retryEntry(
  stepKey: string,
  retry: { scope: string; target: string; failed: number; attempts: number; retryAt: number },
): NewJournalEntry {
  return { type: 'retry-scheduled', stepKey, data: retry };
}
