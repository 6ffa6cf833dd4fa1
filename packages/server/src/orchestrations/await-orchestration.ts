/**
 * `GET /v1/orchestrations/:id?waitMs=`: the orchestration once it has ended, or as it stands when `waitMs` has passed
 * — one request for a caller that wants the outcome, not every event. A run executing on this replica wakes the wait
 * with its final event, and is not read from the store before it; otherwise (also when a run moves to another
 * replica) the orchestration is looked at again every `pollMs`.
 */
import type { Orchestration } from '@baton/protocol';
import type { OrchestrationRow } from './orchestration-view.js';
import type { Orchestrations } from './orchestrations.js';
import type { RunEventsHub } from './run-events-hub.js';

const FINAL = new Set<string>(['succeeded', 'failed', 'cancelled']);
/**
 * The engine events after which a run's stored status is final, and `run-ended`: another replica (on PostgreSQL)
 * announced the end of a run it executed.
 */
const RUN_END_EVENTS = new Set(['run-finish', 'run-error', 'run-cancel', 'run-ended']);

export interface AwaitOptions {
  waitMs: number;
  /** Ends the wait (the client went away, the server is closing): the orchestration is answered as it stands. */
  signal?: AbortSignal;
  /** @default 1000 */
  pollMs?: number;
  /** The orchestration's row as just stored by this caller, taken for the first look instead of reading it. */
  stored?: OrchestrationRow;
}

export async function awaitOrchestration(
  orchestrations: Orchestrations,
  hub: RunEventsHub,
  projectId: string,
  id: string,
  options: AwaitOptions,
): Promise<Orchestration> {
  const deadline = Date.now() + options.waitMs;
  let row: OrchestrationRow | undefined = options.stored;
  let ended = false;
  let firstLook = true;
  for (;;) {
    // After its run's end the row is still current; after a timeout it is read again (a retry may have begun).
    // Before the first look only a row the caller stored is held.
    if (row === undefined || !(ended || firstLook)) row = await orchestrations.row(projectId, id);
    const heardEnd = ended;
    ended = false;
    let wake = () => {};
    const woken = new Promise<void>((resolve) => {
      wake = resolve;
    });
    // Subscribed before the run is read, so an end between the read and the wait is not slept through.
    const unsubscribe = hub.subscribe(row.run_id, (note) => {
      if (!RUN_END_EVENTS.has(note.type)) return;
      ended = true;
      wake();
    });
    const timer = setTimeout(() => wake(), Math.max(0, Math.min(deadline - Date.now(), options.pollMs ?? 1000)));
    const onAbort = () => wake();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const over = () => Date.now() >= deadline || options.signal?.aborted === true;
      // A run executing here has not ended: at first its view is read only once it has. Every later look reads it
      // (the run may have moved to another replica, whose end this one never hears of).
      if (!(firstLook && orchestrations.runningHere(row.run_id)) || over()) {
        const view = await orchestrations.view(row);
        if (FINAL.has(view.status) || over()) return view;
        // Ended, yet not final by the row read before: a run never stored has its outcome in the row alone.
        if (heardEnd) {
          row = undefined;
          continue;
        }
      }
      firstLook = false;
      await woken;
    } finally {
      clearTimeout(timer);
      unsubscribe();
      options.signal?.removeEventListener('abort', onAbort);
    }
  }
}
