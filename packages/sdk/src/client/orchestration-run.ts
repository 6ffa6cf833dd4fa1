/**
 * `OrchestrationRun`: an accepted orchestration, with `result()` to wait for its outcome and `events()` to follow it.
 * `result()` follows the event stream to the final event, falls back to polling when the stream is unavailable, and
 * reads the outcome from `GET /v1/orchestrations/:id`.
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
  /** The wait between two polls, when the event stream is unavailable. @default 1000 */
  pollIntervalMs?: number;
}

export interface OrchestrationRun {
  readonly id: string;
  /** The status when the server accepted it. */
  readonly status: OrchestrationStatus;
  readonly plan: AcceptedOrchestration['plan'];
  /** Steps that run at the same time, group by group. */
  readonly parallelGroups: string[][];
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
    result: (options) => waitForResult(transport, accepted.id, options),
    events: (options) => followOrchestrationEvents(transport, accepted.id, options),
  };
}

/**
 * @example
 * const result = await waitForResult(transport, 'orc_1', { pollIntervalMs: 500 });
 */
export async function waitForResult(
  transport: HttpTransport,
  orchestrationId: string,
  options: ResultOptions = {},
): Promise<unknown> {
  const { signal } = options;
  try {
    for await (const _event of followOrchestrationEvents(transport, orchestrationId, { signal })) {
      // Only the end of the stream matters here; the outcome is read below.
    }
  } catch {
    // The stream is only the fast way to learn of the end: polling below still finds it, or throws the real error.
    if (signal?.aborted) throw signal.reason;
  }
  return outcome(await pollUntilFinished(transport, orchestrationId, options));
}

async function pollUntilFinished(
  transport: HttpTransport,
  orchestrationId: string,
  options: ResultOptions,
): Promise<Orchestration> {
  for (;;) {
    const orchestration = await getOrchestration(transport, orchestrationId, options.signal);
    if (FINAL_STATUSES.has(orchestration.status)) return orchestration;
    await sleep(options.pollIntervalMs ?? 1000, options.signal);
  }
}

function outcome(orchestration: Orchestration): unknown {
  if (orchestration.status === 'succeeded') return orchestration.result;
  throw new OrchestrationFailedError(orchestration.id, orchestration.status, orchestration.error);
}
