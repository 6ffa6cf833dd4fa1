import { afterEach, describe, expect, it } from 'vitest';
import { BatonApiError } from './api-error.js';
import { BatonConnectionError } from './connection-error.js';
import {
  anOrchestration,
  eventFrame,
  type FakeHandler,
  type FakeServer,
  sendJson,
  sendProblem,
  startEventStream,
  startFakeServer,
  writeFlushed,
} from './fake-server-test-kit.js';
import { createHttpTransport } from './http-transport.js';
import { followOrchestrationEvents, type StreamedOrchestrationEvent } from './orchestration-events.js';
import { BatonProtocolError } from './protocol-error.js';
import type { RetryInfo, RetryOptions } from './retry-policy.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const EVENTS_PATH = '/v1/orchestrations/orc_1/events';

async function follow(handler: FakeHandler, options: { after?: string; retry?: RetryOptions | false } = {}) {
  server = await startFakeServer(handler);
  const transport = createHttpTransport({
    url: server.url,
    token: 'key_secret',
    tokenOption: 'apiKey',
    retry: options.retry ?? { minDelayMs: 1, maxDelayMs: 4 },
  });
  return followOrchestrationEvents(transport, 'orc_1', { after: options.after });
}

async function collect(events: AsyncIterable<StreamedOrchestrationEvent>) {
  const seen: StreamedOrchestrationEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

function eventRequests() {
  return server?.requests.filter((request) => request.path === EVENTS_PATH) ?? [];
}

describe('followOrchestrationEvents', () => {
  it('resumes after a dropped connection with Last-Event-ID, seeing each journal event once and in order', async () => {
    const events = await follow(async (request, response) => {
      startEventStream(response);
      const last = request.headers['last-event-id'];
      if (last === undefined) {
        await writeFlushed(
          response,
          `: connected\n\n${eventFrame('run-start', 1)}${eventFrame('step-start', 2)}${eventFrame('step-progress')}` +
            eventFrame('step-finish', 3),
        );
        await writeFlushed(response, 'event: step-start\nid: 4\ndata: {"type":"step-st');
        response.socket?.destroy();
      } else if (last === '3') {
        response.end(
          eventFrame('step-start', 4) +
            eventFrame('step-progress') +
            eventFrame('step-finish', 5) +
            eventFrame('run-finish', 6),
        );
      } else {
        response.end(eventFrame('unexpected-last-event-id', 99));
      }
    });
    const seen = await collect(events);
    expect(seen.map((event) => [event.type, event.eventId])).toEqual([
      ['run-start', '1'],
      ['step-start', '2'],
      ['step-progress', undefined],
      ['step-finish', '3'],
      ['step-start', '4'],
      ['step-progress', undefined],
      ['step-finish', '5'],
      ['run-finish', '6'],
    ]);
    expect(seen.filter((event) => event.eventId === undefined).every((event) => !('eventId' in event))).toBe(true);
    expect(eventRequests().map((request) => request.headers['last-event-id'])).toEqual([undefined, '3']);
    expect(eventRequests().every((request) => request.headers.accept === 'text/event-stream')).toBe(true);
  });

  it('ends after run-finish without reading further', async () => {
    const events = await follow((_request, response) => {
      startEventStream(response);
      response.write(eventFrame('run-start', 1) + eventFrame('run-finish', 2) + eventFrame('after-the-end', 3));
    });
    expect((await collect(events)).map((event) => event.type)).toEqual(['run-start', 'run-finish']);
    expect(eventRequests()).toHaveLength(1);
  });

  it('after run-fail, yields the compensations the server sends next and ends where the stream does', async () => {
    const events = await follow((_request, response) => {
      startEventStream(response);
      response.end(
        eventFrame('run-start', 1) +
          eventFrame('run-fail', 2) +
          eventFrame('compensation-start', 3) +
          eventFrame('compensation-finish', 4),
      );
    });
    expect((await collect(events)).map((event) => event.type)).toEqual([
      'run-start',
      'run-fail',
      'compensation-start',
      'compensation-finish',
    ]);
    expect(eventRequests()).toHaveLength(1);
  });

  it('after run-cancel, ends quietly when the connection drops before the compensations', async () => {
    let open: { destroy(): void } | undefined;
    const events = await follow((_request, response) => {
      startEventStream(response);
      response.write(eventFrame('run-cancel', 1));
      open = response.socket ?? undefined;
    });
    const iterator = events[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.type).toBe('run-cancel');
    open?.destroy();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(eventRequests()).toHaveLength(1);
  });

  it('ends after planning-failed: an action the server could not plan never starts a run', async () => {
    const events = await follow((_request, response) => {
      startEventStream(response);
      response.write(eventFrame('planning-failed', 1, { error: { message: 'no plan' } }) + eventFrame('run-start', 2));
    });
    expect((await collect(events)).map((event) => event.type)).toEqual(['planning-failed']);
    expect(eventRequests()).toHaveLength(1);
  });

  it('starts after the given id', async () => {
    const events = await follow(
      (_request, response) => {
        startEventStream(response);
        response.end(eventFrame('run-cancel', 6));
      },
      { after: '5' },
    );
    expect((await collect(events)).map((event) => event.eventId)).toEqual(['6']);
    expect(eventRequests()[0]?.headers['last-event-id']).toBe('5');
  });

  it('ends without events when the stream closes at once and the orchestration has finished', async () => {
    const events = await follow(
      (request, response) => {
        if (request.path !== EVENTS_PATH) return sendJson(response, 200, anOrchestration({ status: 'succeeded' }));
        startEventStream(response);
        response.end();
      },
      { after: '6' },
    );
    expect(await collect(events)).toEqual([]);
    expect(server?.requests.map((request) => request.path)).toEqual([EVENTS_PATH, '/v1/orchestrations/orc_1']);
  });

  it('reconnects after a 503 and when the stream ends early, while the orchestration still runs', async () => {
    const events = await follow((request, response) => {
      if (request.path !== EVENTS_PATH) return sendJson(response, 200, anOrchestration());
      const attempt = eventRequests().length;
      if (attempt === 1) return sendProblem(response, 503, { code: 'unavailable' });
      startEventStream(response);
      if (attempt === 2) return response.end();
      response.end(eventFrame('run-finish', 1));
    });
    expect((await collect(events)).map((event) => event.type)).toEqual(['run-finish']);
    expect(eventRequests()).toHaveLength(3);
  });

  it('waits at least the reconnection time the server set with retry:', async () => {
    const retries: RetryInfo[] = [];
    const events = await follow(
      async (request, response) => {
        startEventStream(response);
        if (request.headers['last-event-id'] === '1') return response.end(eventFrame('run-finish', 2));
        await writeFlushed(response, `retry: 5\n\n${eventFrame('run-start', 1)}`);
        response.socket?.destroy();
      },
      { retry: { minDelayMs: 1, maxDelayMs: 4, onRetry: (info) => retries.push(info) } },
    );
    expect((await collect(events)).map((event) => event.eventId)).toEqual(['1', '2']);
    expect(retries.map((info) => info.delayMs)).toEqual([5]);
    expect(retries[0]?.error).toBeInstanceOf(BatonConnectionError);
  });

  it('gives up after `retries` failed connections in a row, and at once with retry: false', async () => {
    const drop: FakeHandler = (_request, response) => {
      startEventStream(response);
      response.socket?.destroy();
    };
    await expect(collect(await follow(drop, { retry: { minDelayMs: 1, maxDelayMs: 1, retries: 2 } }))).rejects.toThrow(
      BatonConnectionError,
    );
    expect(eventRequests()).toHaveLength(3);
    await server?.close();
    await expect(collect(await follow(drop, { retry: false }))).rejects.toThrow(BatonConnectionError);
    expect(eventRequests()).toHaveLength(1);
  });

  it('throws API errors other than 429/502/503/504 at once', async () => {
    const events = await follow((_request, response) => sendProblem(response, 404, { code: 'not-found' }));
    const error = await collect(events).catch((caught) => caught);
    expect(BatonApiError.isInstance(error) && error.code).toBe('not-found');
    expect(eventRequests()).toHaveLength(1);
  });

  it('throws a BatonProtocolError for an answer that is not an event stream', async () => {
    const events = await follow((_request, response) => sendJson(response, 200, { items: [] }));
    const error = await collect(events).catch((caught) => caught);
    expect(error).toBeInstanceOf(BatonProtocolError);
    expect((error as BatonProtocolError).expected).toBe('an event stream');
  });

  it('throws a BatonProtocolError for event data that is not an OrchestrationEvent', async () => {
    const events = await follow((_request, response) => {
      startEventStream(response);
      response.end('event: run-start\nid: 1\ndata: {"type":"run-start"}\n\n');
    });
    const error = await collect(events).catch((caught) => caught);
    expect(error).toBeInstanceOf(BatonProtocolError);
    expect((error as BatonProtocolError).issues.map((issue) => issue.path)).toContain('orchestrationId');
    expect(eventRequests()).toHaveLength(1);
  });

  it('stops with the abort reason when the signal aborts, and closes the connection', async () => {
    let closed = false;
    server = await startFakeServer((_request, response) => {
      startEventStream(response);
      response.write(eventFrame('run-start', 1));
      response.on('close', () => {
        closed = true;
      });
    });
    const transport = createHttpTransport({ url: server.url, token: 'k', tokenOption: 'apiKey' });
    const controller = new AbortController();
    const iterator = followOrchestrationEvents(transport, 'orc_1', { signal: controller.signal });
    expect((await iterator.next()).value?.type).toBe('run-start');
    const next = iterator.next();
    controller.abort(new Error('enough'));
    await expect(next).rejects.toThrow('enough');
    await expect.poll(() => closed).toBe(true);
  });

  it('closes the connection when the caller stops iterating', async () => {
    let closed = false;
    const events = await follow((_request, response) => {
      startEventStream(response);
      response.write(eventFrame('run-start', 1) + eventFrame('step-start', 2));
      response.on('close', () => {
        closed = true;
      });
    });
    for await (const event of events) if (event.type === 'run-start') break;
    await expect.poll(() => closed).toBe(true);
  });
});
