/** Registering plan templates over HTTP: what the server checks before it keeps one, and what it leaves for use. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  connectRawService,
  echoService,
  type RawService,
  startTestServer,
  type TestServer,
} from '../server-test-kit.js';

type Json = Record<string, any>;

let t: TestServer;
const services: RawService[] = [];

beforeEach(async () => {
  t = await startTestServer({ serviceGraceMs: 60_000 });
});
afterEach(async () => {
  for (const service of services.splice(0)) await service.close();
  await t.close();
});

const post = async (path: string, body: Json) => {
  const response = await t.request(path, { method: 'POST', body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Json };
};

const weatherTemplate = {
  name: 'weather-report',
  examples: ["What's the weather in {city}?"],
  params: { city: { type: 'string', minLength: 1 } },
  plan: { steps: [{ id: 'weather', target: 'weather', input: { city: { $ref: 'request.data.city' } } }] },
};

describe('POST /v1/plan-templates', () => {
  it('refuses a plan broken in structure, listing every problem with those of its params and examples', async () => {
    const { status, body } = await post('/v1/plan-templates', {
      name: 'broken',
      examples: ['Report on {city}', 'Report on {town}'],
      params: { city: { type: 'strin' } },
      plan: {
        steps: [
          { id: 'a', target: 'weather', input: { city: { $ref: 'steps.nowhere.output' } } },
          { id: 'b', target: 'news', dependsOn: ['c'] },
          { id: 'c', target: { capability: 'news' }, dependsOn: ['b'] },
          { id: 'a', target: 'writer' },
        ],
      },
    });
    expect(status).toBe(400);
    expect(body.code).toBe('invalid-plan-template');
    expect(body.problems.map((problem: Json) => [problem.path, problem.code])).toEqual([
      ['params.city', 'invalid-schema'],
      ['examples[1]', 'unknown-param'],
      ['plan.steps[0].input.city', 'unknown-step'],
      ['plan.steps[1]', 'cycle'],
      ['plan.steps[2].target', 'unsupported'],
      ['plan.steps[3].id', 'duplicate-id'],
    ]);
    expect(body.detail).toMatch(/^invalid plan template "broken": params\.city: .*; examples\[1\]: .*; plan\.steps/);
    expect(body.detail).toContain('refers to unknown step "nowhere"');
    expect(body.detail).toContain('step id "a" is already used at steps[0]');
    const kept = await t.request('/v1/plan-templates');
    expect(((await kept.json()) as Json).items).toEqual([]);
  });

  it('refused for its name, lists the problems of the rest of the template in the same answer', async () => {
    const { status, body } = await post('/v1/plan-templates', {
      name: 'Weather Report!',
      examples: ['Report on {town}'],
      params: { city: { type: 'strin' } },
      plan: { steps: [{ id: 'a', target: 'weather', input: { city: { $ref: 'steps.nowhere.output' } } }] },
    });
    expect(status).toBe(400);
    expect(body.code).toBe('invalid-request');
    expect(body.problems.map((problem: Json) => problem.path)).toEqual([
      'body.name',
      'body.params.city',
      'body.examples[0]',
      'body.plan.steps[0].input.city',
    ]);
    expect(body.detail).toMatch(/^.*body\.name: .*; the template also has 3 more: body\.params\.city: /);
    // A body broken elsewhere too gets the schema's problems alone: the rest cannot be read safely.
    const broken = await post('/v1/plan-templates', { name: 'Bad Name', examples: 'not a list', plan: {} });
    expect(broken.body.problems.map((problem: Json) => problem.path)).toEqual(
      expect.arrayContaining(['body.name', 'body.examples']),
    );
    expect(broken.body.detail).not.toContain('the template also has');
  });

  it('keeps a template whose services are not registered yet: they are resolved when it is used', async () => {
    const created = await post('/v1/plan-templates', weatherTemplate);
    expect(created.status).toBe(201);
    const before = await post('/v1/orchestrations', { action: { content: "What's the weather in Lisbon?" } });
    expect(before.status).toBe(422);
    expect(before.body.code).toBe('template-plan-invalid');
    expect(before.body.detail).toContain('no service "weather" is registered in this project');
    services.push(
      await connectRawService(t.server.url, t.apiKey, { hello: echoService('weather'), answer: (task) => task.input }),
    );
    const after = await post('/v1/orchestrations', { action: { content: "What's the weather in Lisbon?" } });
    expect(after.status).toBe(202);
    expect(after.body.planning).toMatchObject({ planner: 'template', template: 'weather-report' });
  });
});

describe('a stored template this server can no longer compile', () => {
  it('answers no action, while the project’s other templates still do', async () => {
    services.push(
      await connectRawService(t.server.url, t.apiKey, { hello: echoService('weather'), answer: (task) => task.input }),
    );
    const named = { ...weatherTemplate, params: { city: { type: 'string', pattern: '^[A-Za-z]+$' } } };
    expect((await post('/v1/plan-templates', named)).status).toBe(201);
    const other = { ...weatherTemplate, name: 'forecast', examples: ['Forecast for {city} please'] };
    expect((await post('/v1/plan-templates', other)).status).toBe(201);
    // As an older server could have stored it: a pattern with a backreference, which patterns no longer run.
    const database = new Database(join(t.dir, 'baton.db'));
    const row = database
      .prepare('SELECT id, definition FROM baton_server_plan_templates WHERE name = ?')
      .get('weather-report') as { id: string; definition: string };
    const definition = JSON.parse(row.definition) as Json;
    definition.params.city.pattern = '^(a)\\1$';
    database
      .prepare('UPDATE baton_server_plan_templates SET definition = ? WHERE id = ?')
      .run(JSON.stringify(definition), row.id);
    database.close();
    const answered = await post('/v1/orchestrations', { action: { content: 'Forecast for Lisbon please' } });
    expect(answered.status).toBe(202);
    expect(answered.body.planning).toMatchObject({ planner: 'template', template: 'forecast' });
  });
});
