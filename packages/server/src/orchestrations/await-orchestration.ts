/**
 * `GET /v1/orchestrations/:id?waitMs=`: the orchestration once it has ended, or as it stands when `waitMs` has passed
 * — one request for a caller that wants the outcome, not every event. A run executing on this replica wakes the wait
 * with its final event; one executing on another replica is looked at again every `pollMs`.
 */
import type { Orchestration } from '@baton/protocol';
import type { Orchestrations } from './orchestrations.js';
import type { RunEventsHub } from './run-events-hub.js';

const FINAL = new Set<string>(['succeeded', 'failed', 'cancelled']);
/** The engine events after which a run's stored status is final. */
const RUN_END_EVENTS = new Set(['run-finish', 'run-error', 'run-cancel']);

export interface AwaitOptions {
  waitMs: number;
  /** Ends the wait (the client went away, the server is closing): the orchestration is answered as it stands. */
  signal?: AbortSignal;
  /** @default 1000 */
  pollMs?: number;
}

export async function awaitOrchestration(
  orchestrations: Orchestrations,
  hub: RunEventsHub,
  projectId: string,
  id: string,
  options: AwaitOptions,
): Promise<Orchestration> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const row = await orchestrations.row(projectId, id);
    let wake = () => {};
    const woken = new Promise<void>((resolve) => {
      wake = resolve;
    });
    // Subscribed before the run is read, so an end between the read and the wait is not slept through.
    const unsubscribe = hub.subscribe(row.run_id, (note) => {
      if (RUN_END_EVENTS.has(note.type)) wake();
    });
    const timer = setTimeout(() => wake(), Math.max(0, Math.min(deadline - Date.now(), options.pollMs ?? 1000)));
    const onAbort = () => wake();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const view = await orchestrations.view(row);
      if (FINAL.has(view.status) || Date.now() >= deadline || options.signal?.aborted) return view;
      await woken;
    } finally {
      clearTimeout(timer);
      unsubscribe();
      options.signal?.removeEventListener('abort', onAbort);
    }
  }
}
