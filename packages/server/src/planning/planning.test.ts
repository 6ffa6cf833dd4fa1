/**
 * Actions in plain words over HTTP: the model plans through the real provider client (a local OpenAI-compatible
 * server answering recorded plans), outside the request; the plan shows on the orchestration and first on its event
 * stream; a second action with the same meaning reuses it; failures, budgets, cancelling and restarts end the
 * orchestration as they should.
 */
import { join } from 'node:path';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { type ChatServer, startChatServer } from '@baton/llm/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  connectRawService,
  echoService,
  type RawService,
  startTestServer,
  TEST_ADMIN_TOKEN,
  type TestServer,
  waitFor,
} from '../server-test-kit.js';
import { startServer } from '../start-server.js';

type Json = Record<string, unknown>;

const weatherPlan = {
  steps: [
    { id: 'weather', target: 'weather', input: { city: { $ref: 'request.data.city' } } },
    { id: 'news', target: 'news', input: { topic: { $ref: 'request.data.city' } } },
  ],
};
const answer = (plan: unknown) => JSON.stringify({ actionable: true, plan });

let chat: ChatServer;
let replies: string[];
/** The answer once the recorded ones are used up. */
let fallback: string;
let t: TestServer;
const services: RawService[] = [];

const model = () =>
  createOpenAICompatible({ name: 'local', baseURL: chat.baseURL, supportsStructuredOutputs: true }).chatModel(
    'planner-1',
  );

beforeEach(async () => {
  replies = [];
  fallback = JSON.stringify({ actionable: false, reason: 'no reply left' });
  chat = await startChatServer({ reply: () => replies.shift() ?? fallback });
  t = await startTestServer({ serviceGraceMs: 60_000, planning: { model: model(), timeoutMs: 20_000 } });
  for (const name of ['weather', 'news']) {
    services.push(
      await connectRawService(t.server.url, t.apiKey, {
        hello: echoService(name),
        answer: (task) => ({ from: name, input: task.input }),
      }),
    );
  }
});
afterEach(async () => {
  for (const service of services.splice(0)) await service.close();
  await t.close();
  await chat.close();
});

const json = async (response: Response) => (await response.json()) as Json;
const submit = (body: Json, headers: Record<string, string> = {}) =>
  t.request('/v1/orchestrations', { method: 'POST', headers, body: JSON.stringify(body) });
const view = async (id: string) => json(await t.request(`/v1/orchestrations/${id}`));
const settled = (id: string) =>
  waitFor(async () => {
    const current = await view(id);
    return ['succeeded', 'failed', 'cancelled'].includes(current.status as string) ? current : undefined;
  }, `orchestration ${id} to end`);

/** The whole event stream of an orchestration (it ends after the final event), as [event, data] pairs. */
async function events(id: string, headers: Record<string, string> = {}): Promise<[string, Json, string | undefined][]> {
  const text = await (await t.request(`/v1/orchestrations/${id}/events`, { headers })).text();
  return text
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const field = (name: string) =>
        block
          .split('\n')
          .find((line) => line.startsWith(`${name}:`))
          ?.slice(name.length + 1)
          .trim();
      return [field('event') as string, JSON.parse(field('data') as string) as Json, field('id')];
    });
}

describe('actions in plain words', () => {
  it('answers at once with status planning, then runs the plan the model made, shown first on the event stream', async () => {
    replies.push(answer(weatherPlan));
    const response = await submit({ action: { content: 'Weather and news for my city' }, data: { city: 'Lisbon' } });
    expect(response.status).toBe(202);
    const accepted = await json(response);
    expect(accepted).toMatchObject({ status: 'planning', plan: null, parallelGroups: [] });
    const stream = await events(accepted.id as string);
    expect(stream[0]?.[0]).toBe('orchestration-planned');
    expect(stream[0]?.[2]).toBe('plan');
    expect(stream[0]?.[1].data).toMatchObject({
      plan: weatherPlan,
      parallelGroups: [['weather', 'news']],
      planning: { planner: 'llm' },
    });
    expect(stream.at(-1)?.[0]).toBe('run-finish');
    const done = await settled(accepted.id as string);
    expect(done.status).toBe('succeeded');
    expect(done.plan).toEqual(weatherPlan);
    expect(done.result).toEqual({
      weather: { from: 'weather', input: { city: 'Lisbon' } },
      news: { from: 'news', input: { topic: 'Lisbon' } },
    });
    const planning = done.planning as Json;
    expect(planning).toMatchObject({ planner: 'llm', model: 'planner-1' });
    expect((planning.attempts as Json[])[0]).toMatchObject({ attempt: 1, outcome: 'valid', problems: [] });
    expect((done.usage as { tokens: number }).tokens).toBeGreaterThan(0);
    // The model saw the services by name with their schemas, and the field names, not the values.
    const prompt = JSON.stringify(chat.bodies[0]);
    expect(prompt).toContain('weather (service 1.0.0)');
    expect(prompt).not.toContain(t.projectId.replace(/_/g, '-'));
    expect(prompt).not.toContain('Lisbon');
    // Resumed after the plan, the stream gives the run's events only.
    const resumed = await events(accepted.id as string, { 'last-event-id': 'plan' });
    expect(resumed[0]?.[0]).toBe('run-start');
  });

  it('reuses the plan for an action with the same meaning and new values, without asking the model', async () => {
    replies.push(answer(weatherPlan));
    const first = await json(
      await submit({ action: { content: 'Weather and news for my city' }, data: { city: 'Lisbon' } }),
    );
    await settled(first.id as string);
    const calls = chat.calls;
    const second = await json(
      await submit({ action: { content: 'weather and news for my city' }, data: { city: 'Porto' } }),
    );
    const done = await settled(second.id as string);
    expect(chat.calls).toBe(calls);
    expect(done.planning).toMatchObject({ planner: 'cache', cachedAction: 'Weather and news for my city' });
    expect(done.result).toMatchObject({ weather: { input: { city: 'Porto' } }, news: { input: { topic: 'Porto' } } });
  });

  it('repairs an invalid plan with the problems the server found, paths inside the plan', async () => {
    const unknown = { steps: [{ id: 'w', target: 'forecast', input: { city: { $ref: 'request.data.city' } } }] };
    replies.push(answer(unknown), answer(weatherPlan));
    const accepted = await json(await submit({ action: { content: 'Weather and news' }, data: { city: 'Faro' } }));
    const done = await settled(accepted.id as string);
    expect(done.status).toBe('succeeded');
    const attempts = (done.planning as { attempts: Json[] }).attempts;
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['invalid', 'valid']);
    expect((attempts[0]?.problems as Json[] | undefined)?.[0]).toMatchObject({
      path: 'steps[0].target',
      code: 'unknown-service',
    });
  });

  it('fails a not-actionable action with the reason, and the stream ends with planning-failed', async () => {
    replies.push(JSON.stringify({ actionable: false, reason: 'no service books flights' }));
    const accepted = await json(await submit({ action: { content: 'Book a flight to Rome' } }));
    const stream = await events(accepted.id as string);
    expect(stream.map(([event]) => event)).toEqual(['planning-failed']);
    expect(stream[0]?.[1].data).toMatchObject({ error: { code: 'not-actionable' }, planning: { planner: 'llm' } });
    const done = await settled(accepted.id as string);
    expect(done).toMatchObject({ status: 'failed', plan: null, error: { code: 'not-actionable' } });
    expect((done.error as Json).message).toMatch(/no service books flights/);
    // Nothing was planned, so nothing can run again: the retry says so, with why.
    const retry = await t.request(`/v1/orchestrations/${accepted.id}/retry`, { method: 'POST', body: '{}' });
    expect(retry.status).toBe(409);
    const refused = await json(retry);
    expect(refused.code).toBe('orchestration-never-planned');
    expect(refused.detail).toMatch(/failed before it had a plan \(.*no service books flights.*\), so there is no plan/);
  });

  it('with Prefer: wait, answers once the plan is made: 202 with the plan, or 422 why there is none', async () => {
    replies.push(answer(weatherPlan));
    const planned = await submit(
      { action: { content: 'Weather and news' }, data: { city: 'Faro' } },
      { prefer: 'wait=20' },
    );
    expect(planned.status).toBe(202);
    expect(await json(planned)).toMatchObject({
      status: 'running',
      plan: weatherPlan,
      parallelGroups: [['weather', 'news']],
    });

    replies.push(JSON.stringify({ actionable: false, reason: 'nothing here sends parcels' }));
    const refused = await submit({ action: { content: 'Send a parcel to Porto' } }, { prefer: 'wait=20' });
    expect(refused.status).toBe(422);
    const problem = await json(refused);
    expect(problem).toMatchObject({
      code: 'not-actionable',
      instance: expect.stringMatching(/^\/v1\/orchestrations\/orc_/),
    });
    expect(problem.detail).toMatch(/nothing here sends parcels/);
    const left = await json(await t.request(problem.instance as string));
    expect(left).toMatchObject({ status: 'failed', error: { code: 'not-actionable' } });

    const broken = { steps: [{ id: 'x', target: 'nowhere', input: {} }] };
    replies.push(answer(broken), answer(broken), answer(broken));
    const failed = await submit({ action: { content: 'Do the impossible' } }, { prefer: 'wait=20' });
    expect(failed.status).toBe(422);
    const failure = await json(failed);
    expect(failure).toMatchObject({ code: 'planning-failed' });
    expect((failure.problems as Json[])[0]).toMatchObject({ path: 'steps[0].target' });
  });

  it('counts planning against the budget: a budget the planning used up fails the orchestration', async () => {
    replies.push(answer(weatherPlan));
    const accepted = await json(
      await submit({ action: { content: 'Weather and news' }, data: { city: 'Faro' }, budget: { tokens: 1 } }),
    );
    const done = await settled(accepted.id as string);
    expect(done).toMatchObject({ status: 'failed', error: { code: 'budget-exceeded' } });
  });

  it('cancels an orchestration while its plan is being made; the plan that comes later never runs', async () => {
    const release = chat.holdReplies();
    replies.push(answer(weatherPlan));
    const accepted = await json(await submit({ action: { content: 'Weather and news' }, data: { city: 'Faro' } }));
    await waitFor(() => chat.calls > 0 || undefined, 'the model to be asked');
    const cancelled = await t.request(`/v1/orchestrations/${accepted.id}/cancel`, { method: 'POST', body: '{}' });
    expect(cancelled.status).toBe(202);
    release();
    const done = await settled(accepted.id as string);
    expect(done).toMatchObject({ status: 'cancelled', plan: null, error: { code: 'cancelled' } });
    expect((await events(accepted.id as string)).map(([event]) => event)).toEqual(['run-cancel']);
    const retry = await t.request(`/v1/orchestrations/${accepted.id}/retry`, { method: 'POST', body: '{}' });
    expect(retry.status).toBe(409);
    expect((await json(retry)).detail).toMatch(/was cancelled before it had a plan \(.+\), so there is no plan/);
    expect(services.every((service) => service.received.every((message) => message.type !== 'task'))).toBe(true);
  });

  it('gives a repeated Idempotency-Key the first orchestration while it is still being planned', async () => {
    const release = chat.holdReplies();
    replies.push(answer(weatherPlan));
    const body = { action: { content: 'Weather and news' }, data: { city: 'Faro' } };
    const first = await json(await submit(body, { 'idempotency-key': 'k-1' }));
    const again = await json(await submit(body, { 'idempotency-key': 'k-1' }));
    expect(again).toMatchObject({ id: first.id, status: 'planning', plan: null });
    release();
    expect((await settled(first.id as string)).status).toBe('succeeded');
    expect(chat.calls).toBe(1);
  });

  it('plans from a template first, offline, with the param read from the action', async () => {
    const template = {
      name: 'city-weather',
      examples: ['What is the weather in {city}?'],
      params: { city: { type: 'string' } },
      plan: { steps: [{ id: 'w', target: 'weather', input: { city: { $ref: 'request.data.city' } } }] },
    };
    expect((await t.request('/v1/plan-templates', { method: 'POST', body: JSON.stringify(template) })).status).toBe(
      201,
    );
    const accepted = await json(await submit({ action: { content: "What's the weather in Lisbon?" } }));
    expect(accepted).toMatchObject({ status: 'running', parallelGroups: [['w']] });
    const done = await settled(accepted.id as string);
    expect(done.planning).toMatchObject({ planner: 'template', template: 'city-weather' });
    expect(done.result).toEqual({ w: { from: 'weather', input: { city: 'Lisbon' } } });
    expect(chat.calls).toBe(0);
    const stream = await events(accepted.id as string);
    expect(stream[0]?.[0]).toBe('orchestration-planned');
  });

  it('answers 422 naming the template whose plan no longer validates', async () => {
    const template = {
      name: 'gone',
      examples: ['Ask the oracle'],
      plan: { steps: [{ id: 'o', target: 'oracle', input: {} }] },
    };
    await t.request('/v1/plan-templates', { method: 'POST', body: JSON.stringify(template) });
    const response = await submit({ action: { content: 'Ask the oracle' } });
    expect(response.status).toBe(422);
    const problem = await json(response);
    expect(problem).toMatchObject({ code: 'template-plan-invalid' });
    expect(problem.detail).toMatch(/plan template "gone" matched/);
  });
});

describe('planning across a restart', () => {
  it('plans again, at start, what a stopped server left planning', async () => {
    const release = chat.holdReplies();
    const accepted = await json(await submit({ action: { content: 'Weather and news' }, data: { city: 'Faro' } }));
    await waitFor(() => chat.calls > 0 || undefined, 'the model to be asked');
    for (const service of services.splice(0)) await service.close();
    await t.server.close();
    // The stopped server's call may still be answered: every answer from now on is the plan.
    fallback = answer(weatherPlan);
    release();
    const again = await startServer({
      databaseUrl: join(t.dir, 'baton.db'),
      port: 0,
      logger: false,
      adminToken: TEST_ADMIN_TOKEN,
      serviceGraceMs: 60_000,
      planning: { model: model() },
    });
    try {
      for (const name of ['weather', 'news']) {
        services.push(
          await connectRawService(again.url, t.apiKey, { hello: echoService(name), answer: () => ({ ok: name }) }),
        );
      }
      const done = await waitFor(async () => {
        const response = await fetch(`${again.url}/v1/orchestrations/${accepted.id}`, {
          headers: { authorization: `Bearer ${t.apiKey}` },
        });
        const body = (await response.json()) as Json;
        return body.status === 'succeeded' ? body : undefined;
      }, 'the orchestration to be planned and run after the restart');
      expect(done.result).toEqual({ weather: { ok: 'weather' }, news: { ok: 'news' } });
    } finally {
      for (const service of services.splice(0)) await service.close();
      await again.close();
    }
  });
});
