/**
 * Follows an orchestration's Server-Sent Events stream. When the connection drops before the final event it
 * reconnects with jittered backoff, sending `Last-Event-ID` of the last event that had an id, so no journal event is
 * seen twice or missed. It ends after `run-finish`, or `planning-failed` for an action the server could not plan.
 * After `run-fail` or `run-cancel` the server goes on with the compensations of the finished steps, then closes the
 * stream: those events come too, and the iteration ends where the stream does (or, should the connection drop then,
 * at once: the run's end is known, and `get()` shows the compensations).
 */
import { type OrchestrationEvent, orchestrationEventSchema } from '@baton/protocol';
import { BatonApiError } from './api-error.js';
import { BatonConnectionError } from './connection-error.js';
import type { HttpTransport } from './http-transport.js';
import { FINAL_STATUSES, getOrchestration, orchestrationPath, TERMINAL_EVENT_TYPES } from './orchestration-status.js';
import { BatonProtocolError, issuesFromZod } from './protocol-error.js';
import { retryDelayMs, sleep } from './retry-policy.js';
import { createSseParser, type SseEvent } from './sse-parser.js';

/** An event as `events()` yields it: `eventId` is its SSE id, present for journal events only. */
export type StreamedOrchestrationEvent = OrchestrationEvent & { eventId?: string };

export interface EventsOptions {
  /** Stops following: the iteration throws the signal's reason. */
  signal?: AbortSignal;
  /** Start after this journal event id (sent as `Last-Event-ID`); from the first event when absent. */
  after?: string;
}

const RECONNECT_STATUSES = new Set([429, 502, 503, 504]);
/** Events after which the server sends nothing more. */
const LAST_EVENT_TYPES: ReadonlySet<string> = new Set(['run-finish', 'planning-failed']);

/**
 * @example
 * for await (const event of followOrchestrationEvents(transport, 'orc_1')) console.log(event.type);
 */
export async function* followOrchestrationEvents(
  transport: HttpTransport,
  orchestrationId: string,
  options: EventsOptions = {},
): AsyncGenerator<StreamedOrchestrationEvent, void, undefined> {
  const path = orchestrationPath(orchestrationId, '/events');
  const url = transport.url(path);
  const { signal } = options;
  let lastEventId = options.after ?? '';
  let serverRetryMs: number | undefined;
  let failures = 0;
  /** The run's end (`run-fail`, `run-cancel`) was seen: only its compensations may follow. */
  let runEnded = false;
  for (;;) {
    let delivered = false;
    let endedEmpty = false;
    let failure: unknown;
    const connection = new AbortController();
    const parser = createSseParser({ lastEventId });
    try {
      const response = await connect(transport, path, lastEventId, connection, signal);
      try {
        const reader = streamReader(response, url);
        for (;;) {
          const chunk = await reader.read().catch((error: unknown) => {
            throw new BatonConnectionError('GET', url, error);
          });
          if (chunk.done) break;
          for (const sse of parser.push(chunk.value)) {
            const event = decodeEvent(sse, url);
            delivered = true;
            lastEventId = sse.lastEventId;
            yield sse.id === undefined ? event : { ...event, eventId: sse.id };
            if (LAST_EVENT_TYPES.has(event.type)) return;
            if (TERMINAL_EVENT_TYPES.has(event.type)) runEnded = true;
          }
        }
      } finally {
        serverRetryMs = parser.retryMs ?? serverRetryMs;
        connection.abort();
      }
      parser.end();
      if (runEnded) return;
      endedEmpty = !delivered;
      failure = new BatonConnectionError(
        'GET',
        url,
        new Error("the stream ended before the orchestration's final event"),
      );
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (runEnded && BatonConnectionError.isInstance(error)) return;
      if (!isReconnectable(error)) throw error;
      failure = error;
    }
    if (endedEmpty && (await hasFinished(transport, orchestrationId, signal))) return;
    failures = delivered ? 1 : failures + 1;
    if (failures > transport.policy.retries) throw failure;
    const retryAfterMs = BatonApiError.isInstance(failure) ? failure.retryAfterMs : undefined;
    const delayMs = Math.max(serverRetryMs ?? 0, retryDelayMs(transport.policy, failures, retryAfterMs));
    transport.policy.onRetry?.({ attempt: failures, delayMs, error: failure });
    await sleep(delayMs, signal);
  }
}

function connect(
  transport: HttpTransport,
  path: string,
  lastEventId: string,
  connection: AbortController,
  signal: AbortSignal | undefined,
): Promise<Response> {
  const headers: Record<string, string> = { accept: 'text/event-stream', 'cache-control': 'no-cache' };
  if (lastEventId) headers['last-event-id'] = lastEventId;
  return transport.open(path, headers, signal ? AbortSignal.any([signal, connection.signal]) : connection.signal);
}

function streamReader(response: Response, url: string): ReadableStreamDefaultReader<Uint8Array> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('text/event-stream') || !response.body) {
    throw new BatonProtocolError({
      method: 'GET',
      url,
      expected: 'an event stream',
      issues: [{ path: '', message: `the content type is ${JSON.stringify(type)}, not text/event-stream` }],
    });
  }
  return response.body.getReader();
}

function decodeEvent(sse: SseEvent, url: string): OrchestrationEvent {
  const expected = `an OrchestrationEvent (in the data of an SSE event of type "${sse.type}")`;
  let json: unknown;
  try {
    json = JSON.parse(sse.data);
  } catch (error) {
    const message = `the data is not JSON: ${JSON.stringify(sse.data.slice(0, 200))}`;
    throw new BatonProtocolError({ method: 'GET', url, expected, issues: [{ path: '', message }] }, { cause: error });
  }
  const parsed = orchestrationEventSchema.safeParse(json);
  if (!parsed.success) {
    throw new BatonProtocolError({ method: 'GET', url, expected, issues: issuesFromZod(parsed.error) });
  }
  return parsed.data;
}

function isReconnectable(error: unknown): boolean {
  if (BatonConnectionError.isInstance(error)) return true;
  return BatonApiError.isInstance(error) && RECONNECT_STATUSES.has(error.status);
}

/** A stream that closes at once without its final event may mean there is nothing after `Last-Event-ID`. */
async function hasFinished(transport: HttpTransport, id: string, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    return FINAL_STATUSES.has((await getOrchestration(transport, id, signal)).status);
  } catch {
    if (signal?.aborted) throw signal.reason;
    return false;
  }
}
