import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JournalEntry } from '@baton/core';
import { ORCHESTRATION_EVENT_TYPES } from '@baton/protocol';
import { Hono } from 'hono';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectRawService,
  echoService,
  type RawService,
  startTestServer,
  type TestServer,
  waitFor,
} from '../server-test-kit.js';
import { orchestrationEventStream } from './event-feed.js';
import type { OrchestrationRow } from './orchestration-view.js';
import type { Orchestrations } from './orchestrations.js';
import { RunEventsHub } from './run-events-hub.js';

let t: TestServer | undefined;
const sockets: RawService[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) await socket.close();
  await t?.close();
  t = undefined;
});

interface SseEvent {
  id?: string;
  event?: string;
  data: Record<string, unknown>;
}

function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const event: SseEvent = { data: {} };
      for (const line of block.split('\n')) {
        if (line.startsWith('id: ')) event.id = line.slice(4);
        else if (line.startsWith('event: ')) event.event = line.slice(7);
        else if (line.startsWith('data: ')) event.data = JSON.parse(line.slice(6)) as Record<string, unknown>;
      }
      // Every type sent is one clients are told of (`ORCHESTRATION_EVENT_TYPES`), as `baton logs` renders each.
      expect(KNOWN_TYPES).toContain(event.event);
      return event;
    });
}

const KNOWN_TYPES = new Set<string>(Object.values(ORCHESTRATION_EVENT_TYPES).flat());

describe('orchestration events', () => {
  it('streams journal events with ids, ends at the final one, and resumes after Last-Event-ID', async () => {
    t = await startTestServer();
    sockets.push(
      await connectRawService(t.server.url, t.apiKey, { hello: echoService('ev'), answer: () => ({ ok: 1 }) }),
    );
    const accepted = (await (
      await t.request('/v1/orchestrations', {
        method: 'POST',
        body: JSON.stringify({
          action: { content: 'x' },
          plan: {
            steps: [
              { id: 'a', target: 'ev', input: {} },
              { id: 'b', target: 'ev', input: { a: { $ref: 'steps.a.output' } } },
            ],
          },
        }),
      })
    ).json()) as { id: string };
    const full = parseSse(await (await t.request(`/v1/orchestrations/${accepted.id}/events`)).text());
    const journaled = full.filter((event) => event.id !== undefined);
    expect(journaled.map((event) => event.event)).toEqual(['run-start', 'step-finish', 'step-finish', 'run-finish']);
    expect(journaled.map((event) => event.id)).toEqual(['0.0', '0.1', '0.2', '0.3']);
    expect(journaled[1]?.data).toMatchObject({
      type: 'step-finish',
      orchestrationId: accepted.id,
      stepId: 'a',
      data: { service: 'ev@1', output: { ok: 1 } },
    });
    const resumed = parseSse(
      await (
        await t.request(`/v1/orchestrations/${accepted.id}/events`, { headers: { 'last-event-id': '0.1' } })
      ).text(),
    );
    expect(resumed.filter((event) => event.id !== undefined).map((event) => event.id)).toEqual(['0.2', '0.3']);
    // Resuming after the final event: nothing more to send, and the stream ends instead of waiting for ever.
    const after = await t.request(`/v1/orchestrations/${accepted.id}/events`, { headers: { 'last-event-id': '0.3' } });
    expect(parseSse(await after.text()).filter((event) => event.id !== undefined)).toEqual([]);
    const bad = await t.request(`/v1/orchestrations/${accepted.id}/events`, { headers: { 'last-event-id': 'nope' } });
    expect(bad.status).toBe(400);
    // An id of a run this orchestration does not have (it has only run 0) is another stream's, not a place to resume.
    const foreign = await t.request(`/v1/orchestrations/${accepted.id}/events`, {
      headers: { 'last-event-id': '1.0' },
    });
    expect(foreign.status).toBe(400);
    expect(await foreign.json()).toMatchObject({
      code: 'invalid-last-event-id',
      detail: expect.stringContaining('run 1'),
    });
  });

  it('streams live events while a step waits, then the journal events as they are written', async () => {
    t = await startTestServer();
    const service = await connectRawService(t.server.url, t.apiKey, { hello: echoService('held') });
    sockets.push(service);
    const accepted = (await (
      await t.request('/v1/orchestrations', {
        method: 'POST',
        body: JSON.stringify({ action: { content: 'x' }, plan: { steps: [{ id: 'h', target: 'held', input: {} }] } }),
      })
    ).json()) as { id: string };
    const response = await t.request(`/v1/orchestrations/${accepted.id}/events`);
    const task = await service.next((message) => message.type === 'task');
    service.send({ type: 'progress', taskId: task.taskId, data: { percent: 50 } });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes('step-progress')) text += new TextDecoder().decode((await reader.read()).value);
    service.send({ type: 'result', taskId: task.taskId, output: { done: true } });
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    const events = parseSse(text);
    const progress = events.find((event) => event.event === 'step-progress');
    expect(progress?.id).toBeUndefined();
    expect(progress?.data).toMatchObject({ stepId: 'h', data: { data: { percent: 50 }, service: 'held' } });
    expect(events.at(-1)?.event).toBe('run-finish');
  });

  it('keeps a live stream of a failed orchestration open until its compensations are journaled, and ends after them', async () => {
    t = await startTestServer();
    const book = await connectRawService(t.server.url, t.apiKey, {
      hello: echoService('book', { revertible: true }),
      answer: () => ({ booking: 'b-1' }),
    });
    sockets.push(book);
    const pay = await connectRawService(t.server.url, t.apiKey, { hello: echoService('pay') });
    sockets.push(pay);
    const accepted = (await (
      await t.request('/v1/orchestrations', {
        method: 'POST',
        body: JSON.stringify({
          action: { content: 'x' },
          plan: {
            steps: [
              { id: 'book', target: 'book', input: {} },
              { id: 'pay', target: 'pay', input: { booking: { $ref: 'steps.book.output' } } },
            ],
          },
        }),
      })
    ).json()) as { id: string };
    const response = await t.request(`/v1/orchestrations/${accepted.id}/events`);
    const task = await pay.next((message) => message.type === 'task');
    pay.send({ type: 'task-error', taskId: task.taskId, error: { message: 'card declined', retryable: false } });
    // The undo is answered only once the stream has sent `run-fail`: a stream that ended there would never show it.
    const compensate = await book.next((message) => message.type === 'compensate');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes('run-fail')) text += new TextDecoder().decode((await reader.read()).value);
    book.send({ type: 'ack', of: compensate.id });
    book.send({ type: 'compensation-result', compensationId: compensate.compensationId, ok: true });
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    const journaled = parseSse(text).filter((event) => event.id !== undefined);
    expect(journaled.map((event) => event.event).slice(-2)).toEqual(['run-fail', 'compensation-finish']);
    const resumed = parseSse(
      await (
        await t.request(`/v1/orchestrations/${accepted.id}/events`, {
          headers: { 'last-event-id': journaled.at(-2)?.id as string },
        })
      ).text(),
    );
    expect(resumed.map((event) => event.event)).toEqual(['compensation-finish']);
  });

  it('delivers signed webhooks for a finished orchestration, verified with the standardwebhooks package', async () => {
    const received: Array<{ body: string; headers: IncomingHttpHeaders }> = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ body, headers: request.headers });
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      t = await startTestServer({ allowPrivateWebhooks: true, webhookPollIntervalMs: 50 });
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
      const created = (await (
        await t.request('/v1/webhooks', { method: 'POST', body: JSON.stringify({ url }) })
      ).json()) as {
        id: string;
        secret: string;
      };
      sockets.push(
        await connectRawService(t.server.url, t.apiKey, { hello: echoService('hooked'), answer: () => ({ ok: true }) }),
      );
      const accepted = (await (
        await t.request('/v1/orchestrations', {
          method: 'POST',
          body: JSON.stringify({
            action: { content: 'x' },
            webhook: url,
            plan: { steps: [{ id: 'w', target: 'hooked', input: {} }] },
          }),
        })
      ).json()) as { id: string };
      while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      const delivery = received[0] as { body: string; headers: IncomingHttpHeaders };
      const verified = new Webhook(created.secret).verify(delivery.body, {
        'webhook-id': String(delivery.headers['webhook-id']),
        'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
        'webhook-signature': String(delivery.headers['webhook-signature']),
      }) as { type: string; data: Record<string, unknown> };
      expect(verified.type).toBe('orchestration.succeeded');
      expect(verified.data).toEqual({ orchestrationId: accepted.id, status: 'succeeded', result: { w: { ok: true } } });
      // The receiver has the request before the server has its answer: wait for the delivery to be recorded.
      const delivered = await waitFor(async () => {
        const deliveries = (await (await t?.request(`/v1/webhooks/${created.id}/deliveries`))?.json()) as {
          items: Array<Record<string, unknown>>;
        };
        return deliveries.items[0]?.status === 'pending' ? undefined : deliveries.items[0];
      }, 'the delivery to be recorded');
      expect(delivered).toMatchObject({
        eventType: 'orchestration.succeeded',
        status: 'delivered',
        attempts: 1,
      });
      expect(received).toHaveLength(1);
    } finally {
      receiver.close();
    }
  });

  it('serves Prometheus metrics', async () => {
    t = await startTestServer();
    sockets.push(
      await connectRawService(t.server.url, t.apiKey, { hello: echoService('metered.v2'), answer: () => ({}) }),
    );
    const accepted = (await (
      await t.request('/v1/orchestrations?waitMs=10000', {
        method: 'POST',
        body: JSON.stringify({
          action: { content: 'meter' },
          plan: { steps: [{ id: 'm', target: 'metered.v2', input: {} }] },
        }),
      })
    ).json()) as { status: string };
    expect(accepted.status).toBe('succeeded');
    const response = await fetch(`${t.server.url}/metrics`);
    const text = await response.text();
    expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    for (const name of [
      'baton_orchestrations',
      'baton_service_instances_connected 1',
      'baton_task_queue_depth 0',
      'baton_webhook_deliveries_total',
      'baton_step_duration_seconds',
    ]) {
      expect(text).toContain(name);
    }
    // A step's service as the API names it, its dots kept; no project id on the operator's page.
    expect(text).toContain('baton_step_duration_seconds_count{service="metered.v2@1",outcome="succeeded"} 1');
    expect(text).not.toContain(t.projectId.replace(/_/g, '-'));
  });
});

const RUN = 'orc_1';

function entry(seq: number, type: string, stepKey: string | null): JournalEntry {
  return { runId: RUN, seq, type, stepKey, data: {}, prevHash: '', hash: '', createdAt: 1_000 + seq } as JournalEntry;
}

describe('orchestrationEventStream', () => {
  it('sends a live note after the entries stored before it, even when it came during a read of the journal', async () => {
    const hub = new RunEventsHub();
    const stored: JournalEntry[] = [entry(0, 'run-start', null)];
    let reads = 0;
    const orchestrations = {
      row: async () => ({ id: RUN, run_id: RUN, retries: 0, planning: null, status: 'running' }) as OrchestrationRow,
      runIds: async () => [RUN],
      reusedSteps: async () => new Map(),
      runEnded: async () => false,
      journal: async () => {
        reads += 1;
        const seen = [...stored];
        if (reads === 1) {
          // While this read is under way, the step it waited for is stored and the next step starts.
          stored.push(entry(1, 'step-finish', 'ok'));
          hub.publish({ type: 'step-start', runId: RUN, stepId: 'w', at: 1_002, data: {} });
        }
        if (reads === 3) stored.push(entry(2, 'run-finish', null));
        return seen;
      },
    } as unknown as Orchestrations;
    const app = new Hono().get('/', (c) =>
      orchestrationEventStream(c, orchestrations, hub, 'prj_1', RUN, { run: 0, seq: -1 }, { pollMs: 5 }),
    );
    const text = await (await app.request('/')).text();
    const order = [...text.matchAll(/^event: (.+)$/gm)].map((match) => match[1]);
    expect(order).toEqual(['run-start', 'step-finish', 'step-start', 'run-finish']);
  });
});
