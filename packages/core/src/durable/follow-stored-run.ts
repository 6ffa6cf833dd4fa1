/**
 * A run's handle whose run goes on elsewhere (another engine, or a later life here) learns how it ended from the
 * store: it settles with the stored output, or with the stored error rebuilt as its own class.
 */
import { CancelledError } from '../errors/cancelled-error.js';
import { errorFromJSON } from '../errors/error-from-json.js';
import type { RunRecord } from '../run/run-record.js';
import type { RunStore } from '../storage/run-store.js';

/** Settles `record` when the stored run finishes, unless a life in this engine settles it first. */
export async function followStoredRun(
  store: RunStore,
  record: RunRecord,
  runId: string,
  signal: AbortSignal,
): Promise<void> {
  while (!record.isSettled && !signal.aborted) {
    if (record.current) return;
    const run = await store.getRun(runId);
    if (run && (run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled')) {
      const result = {
        ...record.handle.snapshot(),
        runId,
        status: run.status,
        output: run.output,
        finishedAt: run.finishedAt ?? Date.now(),
      };
      if (run.status === 'succeeded') record.succeed(result);
      else {
        const error = errorFromJSON(run.error);
        const cancelled = run.status === 'cancelled' && !CancelledError.isInstance(error);
        record.failWith(cancelled ? new CancelledError(error.message) : error, result);
      }
      return;
    }
    await store.waitForWork(500, signal);
  }
}
