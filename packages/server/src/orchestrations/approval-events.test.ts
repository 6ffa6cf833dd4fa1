/**
 * What an orchestration's view and its event stream say about approvals: a rejected (or expired) approval step is a
 * failed step carrying the approval's error and the reason given — also for a run whose `run-fail` entry is from
 * before it kept its steps — and the stream tells the decision and the parked run resuming, just before the entry
 * that shows them, again after a `Last-Event-ID` that did not reach that entry, and with no type a client cannot know.
 */
import type { JournalEntry, StoredRun } from '@baton/core';
import { ORCHESTRATION_EVENT_TYPES } from '@baton/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectRawService,
  echoService,
  type RawService,
  startTestServer,
  type TestServer,
  waitFor,
} from '../server-test-kit.js';
import { type OrchestrationRow, orchestrationView } from './orchestration-view.js';

type Json = Record<string, any>;

let t: TestServer | undefined;
let service: RawService | undefined;

afterEach(async () => {
  await service?.close();
  await t?.close();
  service = undefined;
  t = undefined;
});

interface SseEvent {
  id?: string;
  event: string;
  data: Json;
}

function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const event: SseEvent = { event: '', data: {} };
      for (const line of block.split('\n')) {
        if (line.startsWith('id: ')) event.id = line.slice(4);
        else if (line.startsWith('event: ')) event.event = line.slice(7);
        else if (line.startsWith('data: ')) event.data = JSON.parse(line.slice(6)) as Json;
      }
      return event;
    });
}

const KNOWN_TYPES = new Set<string>(Object.values(ORCHESTRATION_EVENT_TYPES).flat());

/** A server with a `pay` service; returns it. */
async function start(): Promise<TestServer> {
  t = await startTestServer();
  service = await connectRawService(t.server.url, t.apiKey, {
    hello: echoService('pay'),
    answer: () => ({ paid: true }),
    heartbeat: true,
  });
  return t;
}

/** Submits an approval step `ok` (with `approval` options) before a `pay` step; waits until it parks. */
async function submitAndPark(server: TestServer, approval: Json = {}): Promise<{ id: string; approvalId: string }> {
  const accepted = (await (
    await server.request('/v1/orchestrations', {
      method: 'POST',
      body: JSON.stringify({
        action: { content: 'Pay after a yes' },
        plan: {
          steps: [
            { id: 'ok', approval: { prompt: 'Pay?', ...approval } },
            { id: 'pay', target: 'pay', input: { $ref: 'steps.ok.output' } },
          ],
        },
      }),
    })
  ).json()) as Json;
  const approvalId = await waitFor(async () => {
    const listed = (await (await server.request('/v1/approvals?status=pending')).json()) as Json;
    return (listed.items as Json[]).find((item) => item.orchestrationId === accepted.id)?.id as string | undefined;
  }, 'the approval to be pending');
  await waitFor(
    async () =>
      ((await (await server.request(`/v1/orchestrations/${accepted.id}`)).json()) as Json).status === 'waiting',
    'the run to park',
  );
  return { id: accepted.id as string, approvalId };
}

async function ended(server: TestServer, id: string): Promise<Json> {
  return waitFor(async () => {
    const view = (await (await server.request(`/v1/orchestrations/${id}`)).json()) as Json;
    return ['succeeded', 'failed', 'cancelled'].includes(view.status) ? view : undefined;
  }, `orchestration ${id} to end`);
}

async function events(server: TestServer, id: string, lastEventId?: string): Promise<SseEvent[]> {
  const headers: Record<string, string> = lastEventId === undefined ? {} : { 'last-event-id': lastEventId };
  return parseSse(await (await server.request(`/v1/orchestrations/${id}/events`, { headers })).text());
}

describe('a rejected approval', () => {
  it('is a failed step with the approval error and the reason, and the stream tells the decision and its reason', async () => {
    const server = await start();
    const { id, approvalId } = await submitAndPark(server);
    const rejected = await server.request(`/v1/approvals/${approvalId}/reject`, {
      method: 'POST',
      body: JSON.stringify({ reason: 'too much' }),
    });
    expect(rejected.status).toBe(200);
    const view = await ended(server, id);
    expect(view.status).toBe('failed');
    expect(view.steps[0]).toMatchObject({
      id: 'ok',
      status: 'failed',
      attempts: 1,
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
      error: { code: 'approval-rejected', approvalId, stepId: 'ok', outcome: 'rejected', reason: 'too much' },
    });
    expect(view.steps[1]).toMatchObject({ id: 'pay', status: 'cancelled', attempts: 0, startedAt: null });

    const stream = await events(server, id);
    expect(stream.map((event) => [event.event, event.id ?? null])).toEqual([
      ['run-start', '0.0'],
      ['approval-request', '0.1'],
      ['run-park', '0.2'],
      ['approval-decision', null],
      ['run-resume', null],
      ['run-fail', '0.3'],
    ]);
    expect(stream[3]?.data).toMatchObject({
      type: 'approval-decision',
      orchestrationId: id,
      stepId: 'ok',
      data: { approvalId, decision: 'rejected', reason: 'too much' },
    });
    expect(stream[4]?.data).toMatchObject({ type: 'run-resume', stepId: null, data: { parkedAt: stream[2]?.data.at } });
    for (const event of stream) expect(KNOWN_TYPES).toContain(event.event);

    // Resumed from the park, a client gets them again before the entry that implies them; from that entry, not.
    const fromPark = await events(server, id, '0.2');
    expect(fromPark.map((event) => event.event)).toEqual(['approval-decision', 'run-resume', 'run-fail']);
    expect(await events(server, id, '0.3')).toEqual([]);
  });
});

describe('an approved approval', () => {
  it('streams its decision and the resumed run before the approval step finishes, then the rest', async () => {
    const server = await start();
    const { id, approvalId } = await submitAndPark(server);
    expect((await server.request(`/v1/approvals/${approvalId}/approve`, { method: 'POST', body: '{}' })).status).toBe(
      200,
    );
    expect((await ended(server, id)).status).toBe('succeeded');
    const stream = await events(server, id);
    expect(stream.filter((event) => event.id !== undefined).map((event) => event.event)).toEqual([
      'run-start',
      'approval-request',
      'run-park',
      'step-finish',
      'step-finish',
      'run-finish',
    ]);
    const decision = stream.findIndex((event) => event.event === 'approval-decision');
    expect(stream.slice(decision, decision + 3).map((event) => [event.event, event.data.stepId])).toEqual([
      ['approval-decision', 'ok'],
      ['run-resume', null],
      ['step-finish', 'ok'],
    ]);
    expect(stream[decision]?.data.data).toEqual({ approvalId, decision: 'approved' });
    for (const event of stream) expect(KNOWN_TYPES).toContain(event.event);
  });
});

describe('an approval that expires', () => {
  it('with onExpire fail: a failed step saying it expired, and an expired decision in the stream', async () => {
    const server = await start();
    const accepted = (await (
      await server.request('/v1/orchestrations', {
        method: 'POST',
        body: JSON.stringify({
          action: { content: 'Pay if someone says yes soon' },
          plan: { steps: [{ id: 'ok', approval: { prompt: 'Pay?', expiresInMs: 50, onExpire: 'fail' } }] },
        }),
      })
    ).json()) as Json;
    const view = await ended(server, accepted.id);
    expect(view.steps[0]).toMatchObject({ status: 'failed', error: { code: 'approval-expired', outcome: 'expired' } });
    const stream = await events(server, accepted.id);
    expect(stream.find((event) => event.event === 'approval-decision')?.data).toMatchObject({
      stepId: 'ok',
      data: { decision: 'expired' },
    });
  });
});

describe('the view of a run failed by a rejection before run-fail entries kept their steps', () => {
  it('shows the approval step failed with the rejection, not cancelled', () => {
    const error = {
      name: 'ApprovalError',
      code: 'approval-rejected',
      message: 'approval apr-1 for step "ok" was rejected: too much',
      retryable: false,
      approvalId: 'apr-1',
      stepId: 'ok',
      outcome: 'rejected',
      reason: 'too much',
    };
    const row: OrchestrationRow = {
      id: 'orc_old',
      project_id: 'prj_1',
      action: 'Pay after a yes',
      run_id: 'orc_old',
      plan: JSON.stringify({ steps: [{ id: 'ok', approval: { prompt: 'Pay?' } }] }),
      status: 'failed',
      idempotency_key: null,
      webhook_id: null,
      retries: 0,
      created_at: 1000,
      updated_at: 3000,
      finished_at: 3000,
      error: null,
      planning: null,
      request: null,
      request_digest: null,
    };
    const entry = (seq: number, type: string, data: unknown, createdAt: number): JournalEntry => ({
      runId: 'orc_old',
      seq,
      type,
      stepKey: type === 'approval-request' ? 'ok' : null,
      data,
      prevHash: '',
      hash: '',
      createdAt,
    });
    const run = { id: 'orc_old', status: 'failed', error, finishedAt: 3000, updatedAt: 3000 } as unknown as StoredRun;
    const view = orchestrationView({
      row,
      run,
      journal: [
        entry(0, 'run-start', {}, 1000),
        entry(1, 'approval-request', { approvalId: 'apr-1', expiresAt: null }, 1100),
        entry(2, 'run-fail', { error, status: 'failed' }, 2000),
      ],
      handle: undefined,
      parallelGroups: [['ok']],
      waiting: new Set(),
    });
    expect(view.steps[0]).toMatchObject({
      id: 'ok',
      status: 'failed',
      attempts: 1,
      error: { code: 'approval-rejected', reason: 'too much' },
    });
  });
});
