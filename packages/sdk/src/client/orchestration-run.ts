/**
 * `OrchestrationRun`: an accepted orchestration, with `result()` to wait for its outcome and `events()` to follow it.
 * `result()` asks `GET /v1/orchestrations/:id?waitMs=…`, which the server holds until the orchestration has ended (or
 * the wait is over, and it asks again): one request per outcome, not an event stream.
 */
import type { AcceptedOrchestration, Orchestration, OrchestrationStatus } from '@baton/protocol';
import type { HttpTransport } from './http-transport.js';
import {
  type EventsOptions,
  followOrchestrationEvents,
  type StreamedOrchestrationEvent,
} from './orchestration-events.js';
import { OrchestrationFailedError } from './orchestration-failed-error.js';
import { FINAL_STATUSES, getOrchestration } from './orchestration-status.js';
import { sleep } from './retry-policy.js';

export interface ResultOptions {
  /** Stops waiting: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * The pause before asking again when the server answered early without the end (a server that does not hold its
   * answer). @default 1000
   */
  pollIntervalMs?: number;
}

export interface OrchestrationRun {
  readonly id: string;
  /** The status when the server accepted it. */
  readonly status: OrchestrationStatus;
  readonly plan: AcceptedOrchestration['plan'];
  /** Steps that run at the same time, group by group. */
  readonly parallelGroups: string[][];
  /** How the plan was chosen, when the action came in plain words and its plan was made before the answer. */
  readonly planning: AcceptedOrchestration['planning'];
  /**
   * Waits until the orchestration ends: resolves with its `result` when it succeeded, rejects with
   * `OrchestrationFailedError` when it failed or was cancelled.
   */
  result(options?: ResultOptions): Promise<unknown>;
  /** Its events, from the first (or after `options.after`) to the final one. */
  events(options?: EventsOptions): AsyncIterable<StreamedOrchestrationEvent>;
}

export function createOrchestrationRun(transport: HttpTransport, accepted: AcceptedOrchestration): OrchestrationRun {
  return {
    id: accepted.id,
    status: accepted.status,
    plan: accepted.plan,
    parallelGroups: accepted.parallelGroups,
    planning: accepted.planning ?? null,
    result: (options) => waitForResult(transport, accepted.id, options),
    events: (options) => followOrchestrationEvents(transport, accepted.id, options),
  };
}

/** The longest a `result()` request asks the server to hold its answer. */
const LONGEST_WAIT_MS = 20_000;

/** How long to ask the server to hold an answer: well inside the client's timeout for one request, never cut off by it. */
export function heldWaitMs(transport: HttpTransport): number {
  return Math.min(LONGEST_WAIT_MS, Math.floor(transport.timeoutMs / 2));
}

/**
 * @example
 * const result = await waitForResult(transport, 'orc_1');
 */
export async function waitForResult(
  transport: HttpTransport,
  orchestrationId: string,
  options: ResultOptions = {},
): Promise<unknown> {
  const waitMs = heldWaitMs(transport);
  for (;;) {
    const asked = Date.now();
    const orchestration = await getOrchestration(transport, orchestrationId, options.signal, waitMs);
    if (FINAL_STATUSES.has(orchestration.status)) return outcome(orchestration);
    if (Date.now() - asked < waitMs / 2) await sleep(options.pollIntervalMs ?? 1000, options.signal);
  }
}

/** The result of an orchestration that succeeded; `OrchestrationFailedError` for one that failed or was cancelled. */
export function outcome(orchestration: Orchestration): unknown {
  if (orchestration.status === 'succeeded') return orchestration.result;
  throw new OrchestrationFailedError(orchestration.id, orchestration.status, orchestration.error);
}
