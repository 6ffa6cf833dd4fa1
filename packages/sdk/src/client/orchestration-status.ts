/** How the client tells that an orchestration has ended: by its status, or by its stream's final event. */
import { type Orchestration, type OrchestrationStatus, orchestrationSchema } from '@baton/protocol';
import type { HttpTransport } from './http-transport.js';

/** Statuses an orchestration never leaves. */
export const FINAL_STATUSES: ReadonlySet<OrchestrationStatus> = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * Event types the server sends last, after which it closes the stream: a run's end, or the end of an action in plain
 * words that could not be planned (no run ever starts then).
 */
export const TERMINAL_EVENT_TYPES: ReadonlySet<string> = new Set([
  'run-finish',
  'run-fail',
  'run-cancel',
  'planning-failed',
]);

export function orchestrationPath(id: string, suffix = ''): string {
  return `/v1/orchestrations/${encodeURIComponent(id)}${suffix}`;
}

/** `waitMs` > 0: the server holds its answer until the orchestration has ended or that long has passed. */
export function getOrchestration(
  transport: HttpTransport,
  id: string,
  signal?: AbortSignal,
  waitMs = 0,
): Promise<Orchestration> {
  return transport.request({
    method: 'GET',
    path: orchestrationPath(id),
    ...(waitMs > 0 ? { query: { waitMs } } : {}),
    schema: orchestrationSchema,
    expected: 'an Orchestration',
    idempotent: true,
    signal,
  });
}
