import { afterEach, describe, expect, it } from 'vitest';
import { BatonApiError } from './api-error.js';
import { createClient } from './create-client.js';
import { type FakeHandler, type FakeServer, sendJson, sendProblem, startFakeServer } from './fake-server-test-kit.js';
import { BatonProtocolError } from './protocol-error.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function clientFor(handler: FakeHandler) {
  server = await startFakeServer(handler);
  return createClient({ url: server.url, apiKey: 'key_secret', retry: { minDelayMs: 1, maxDelayMs: 2 } });
}

const definition = {
  name: 'weather',
  description: 'The weather in a city',
  examples: ["What's the weather in {city}?"],
  params: { city: { type: 'string' } },
  plan: { steps: [{ id: 'w', target: 'weather', input: { city: { $ref: 'request.data.city' } } }] },
};
const template = (name: string, id = `tpl_${name}`) => ({
  ...definition,
  name,
  id,
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe('client.planTemplates', () => {
  it('create posts the definition and returns the stored template', async () => {
    const client = await clientFor((_request, response) => sendJson(response, 201, template('weather')));
    expect(await client.planTemplates.create(definition)).toMatchObject({ id: 'tpl_weather', name: 'weather' });
    const [request] = server!.requests;
    expect([request?.method, request?.path]).toEqual(['POST', '/v1/plan-templates']);
    expect(JSON.parse(request!.body)).toEqual(definition);
    expect(request?.headers.authorization).toBe('Bearer key_secret');
  });

  it('create surfaces every problem of a 400, and a 409 for a name in use, without retrying', async () => {
    const client = await clientFor((request, response) =>
      JSON.parse(request.body).name === 'taken'
        ? sendProblem(response, 409, { code: 'conflict', detail: 'a template named "taken" exists' })
        : sendProblem(response, 400, {
            code: 'invalid-request',
            problems: [
              { path: 'examples', code: 'too_small', message: 'at least one example' },
              { path: 'plan.steps.0.target', code: 'unknown-target', message: 'no service "nope"' },
            ],
          }),
    );
    const invalid = await client.planTemplates.create({ ...definition, examples: [] }).catch((error) => error);
    expect(BatonApiError.isInstance(invalid) && invalid.problems.map((problem) => problem.path)).toEqual([
      'examples',
      'plan.steps.0.target',
    ]);
    const taken = await client.planTemplates.create({ ...definition, name: 'taken' }).catch((error) => error);
    expect(BatonApiError.isInstance(taken) && [taken.status, taken.code]).toEqual([409, 'conflict']);
    expect(server!.requests).toHaveLength(2);
  });

  it('list sends limit and cursor; listAll walks every page', async () => {
    const client = await clientFor((request, response) =>
      request.query.get('cursor') === 'next'
        ? sendJson(response, 200, { items: [template('c')], nextCursor: null })
        : sendJson(response, 200, { items: [template('a'), template('b')], nextCursor: 'next' }),
    );
    const page = await client.planTemplates.list({ limit: 2 });
    expect([page.items.map((item) => item.name), page.nextCursor]).toEqual([['a', 'b'], 'next']);
    expect(server!.requests[0]?.url).toBe('/v1/plan-templates?limit=2');
    const names: string[] = [];
    for await (const item of client.planTemplates.listAll({ limit: 2 })) names.push(item.name);
    expect(names).toEqual(['a', 'b', 'c']);
  });

  it('list refuses a page that is not one of templates', async () => {
    const client = await clientFor((_request, response) => sendJson(response, 200, { items: [{ name: 'x' }] }));
    await expect(client.planTemplates.list()).rejects.toSatisfy(BatonProtocolError.isInstance);
  });

  it('remove deletes by id or name, encoded; 404 for an unknown one', async () => {
    const client = await clientFor((request, response) => {
      if (request.path.endsWith('/weather')) {
        response.writeHead(204);
        response.end();
      } else sendProblem(response, 404, { code: 'not-found', detail: 'no template "a b"' });
    });
    await client.planTemplates.remove('weather');
    const missing = await client.planTemplates.remove('a b').catch((error) => error);
    expect(BatonApiError.isInstance(missing) && missing.status).toBe(404);
    expect(server!.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'DELETE /v1/plan-templates/weather',
      'DELETE /v1/plan-templates/a%20b',
    ]);
  });
});
