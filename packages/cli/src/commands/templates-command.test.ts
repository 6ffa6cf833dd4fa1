import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliTestServer,
  type ContractRoute,
  sendJson,
  startCliTestServer,
  startContractServer,
} from '../cli-test-kit.js';

let t: CliTestServer;
let contract: Awaited<ReturnType<typeof startContractServer>>;
const stored = new Map<string, Record<string, unknown>>();
const file = (name: string) => join(t.home, name);

const definition = {
  name: 'weather',
  description: 'The weather in a city',
  examples: ["What's the weather in {city}?", 'Weather for {city}'],
  params: { city: { type: 'string' } },
  plan: { steps: [{ id: 'w', target: 'weather', input: { city: { $ref: 'request.data.city' } } }] },
};

/** `/v1/plan-templates` as its contract says: 201, 400 with every problem, 409, pages, 204 and 404. */
const routes: Record<string, ContractRoute> = {
  'POST /v1/plan-templates': (request, response) => {
    const body = request.body as Record<string, unknown>;
    if (!Array.isArray(body.examples) || body.examples.length === 0 || typeof body.plan !== 'object') {
      return sendJson(response, 400, {
        type: 'about:blank',
        title: 'Bad request',
        status: 400,
        detail: 'the template has 2 problem(s)',
        code: 'invalid-template',
        problems: [
          { path: 'examples', code: 'too_small', message: 'at least one example' },
          { path: 'plan', code: 'invalid_type', message: 'a plan object' },
        ],
      });
    }
    if (stored.has(String(body.name))) {
      return sendJson(response, 409, {
        type: 'about:blank',
        title: 'Conflict',
        status: 409,
        detail: `a template named "${body.name}" exists`,
        code: 'template-exists',
      });
    }
    const template = { id: `tpl_${stored.size + 1}`, createdAt: '2026-01-01T00:00:00.000Z', ...body };
    stored.set(String(body.name), template);
    sendJson(response, 201, template);
  },
  'GET /v1/plan-templates': (request, response) => {
    const items = [...stored.values()];
    // A small default page, so that listing every template takes several pages.
    const limit = Number(request.query.get('limit') ?? 2);
    const start = Number(request.query.get('cursor') ?? 0);
    const next = start + limit < items.length ? String(start + limit) : null;
    sendJson(response, 200, { items: items.slice(start, start + limit), nextCursor: next });
  },
  'DELETE /v1/plan-templates/:idOrName': (request, response) => {
    const key = decodeURIComponent(request.path.split('/').at(-1) as string);
    const found = [...stored.values()].find((template) => template.id === key || template.name === key);
    if (found === undefined) {
      return sendJson(response, 404, {
        type: 'about:blank',
        title: 'Not found',
        status: 404,
        detail: `no plan template "${key}" in this project`,
        code: 'not-found',
      });
    }
    stored.delete(String(found.name));
    response.writeHead(204).end();
  },
};

beforeAll(async () => {
  t = await startCliTestServer();
  contract = await startContractServer(routes);
  await writeFile(file('weather.json'), JSON.stringify(definition));
  await writeFile(file('empty.json'), JSON.stringify({ name: 'empty', examples: [] }));
  await writeFile(file('broken.json'), '{"name": ');
});
afterAll(async () => {
  await contract.close();
  await t.close();
});

const onContract = (args: string[]) => t.baton(args, { BATON_URL: contract.url, BATON_API_KEY: 'bk_contract' });

describe('baton templates (against the routes contract)', () => {
  it('add sends the file as the definition and prints what was stored', async () => {
    const added = await onContract(['templates', 'add', file('weather.json')]);
    expect(added.code).toBe(0);
    expect(added.stdout.trim()).toBe('Template weather (tpl_1) added: 2 example(s), 1 step(s), params: city');
    expect(contract.requests.at(-1)).toMatchObject({ method: 'POST', path: '/v1/plan-templates', body: definition });
  });

  it('a name in use: exit 6 naming the conflict; an invalid one: exit 6 listing every problem', async () => {
    const taken = await onContract(['templates', 'add', file('weather.json')]);
    expect(taken.code).toBe(6);
    expect(taken.stderr.trim()).toBe(
      'baton: the server refused: a template named "weather" exists (409 template-exists, POST /v1/plan-templates)',
    );
    const invalid = await onContract(['templates', 'add', file('empty.json')]);
    expect(invalid.code).toBe(6);
    expect(invalid.stderr.trim()).toBe(
      'baton: the server refused: the template has 2 problem(s) (400 invalid-template, POST /v1/plan-templates) — examples: at least one example; plan: a plan object',
    );
  });

  it('ls walks every page into one table; --json prints the templates', async () => {
    for (const name of ['a1', 'a2', 'a3']) {
      await writeFile(file(`${name}.json`), JSON.stringify({ ...definition, name }));
      expect((await onContract(['templates', 'add', file(`${name}.json`)])).code).toBe(0);
    }
    const listed = await onContract(['templates', 'ls']);
    expect(listed.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^NAME\s+ID\s+EXAMPLES\s+PARAMS\s+STEPS\s+CREATED$/),
      expect.stringMatching(/^weather\s+tpl_1\s+2\s+city\s+1\s+2026-01-01 00:00:00Z$/),
      expect.stringMatching(/^a1\s+tpl_2\s/),
      expect.stringMatching(/^a2\s+tpl_3\s/),
      expect.stringMatching(/^a3\s+tpl_4\s/),
    ]);
    const json = JSON.parse((await onContract(['templates', 'ls', '--json'])).stdout);
    expect(json.map((template: { name: string }) => template.name)).toEqual(['weather', 'a1', 'a2', 'a3']);
  });

  it('rm by name or id; an unknown one is 404 (exit 6)', async () => {
    expect((await onContract(['templates', 'rm', 'weather'])).stdout.trim()).toBe('Template weather removed.');
    expect((await onContract(['templates', 'rm', 'tpl_2'])).code).toBe(0);
    const missing = await onContract(['templates', 'rm', 'weather']);
    expect(missing.code).toBe(6);
    expect(missing.stderr).toContain('no plan template "weather" in this project (404 not-found');
  });

  it('a file that is not JSON: exit 3 naming it, nothing sent', async () => {
    const before = contract.requests.length;
    const result = await onContract(['templates', 'add', file('broken.json')]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^baton: template file ".*broken\.json" is not valid JSON/);
    expect(contract.requests.length).toBe(before);
  });
});

describe('baton templates (against the server)', () => {
  it('add, ls, rm round trip; a name in use and an invalid template are refused with every problem', async () => {
    const added = await t.baton(['templates', 'add', file('weather.json')]);
    expect(added.code).toBe(0);
    expect(added.stdout.trim()).toMatch(
      /^Template weather \(tpl_\w+\) added: 2 example\(s\), 1 step\(s\), params: city$/,
    );
    const taken = await t.baton(['templates', 'add', file('weather.json')]);
    expect(taken.code).toBe(6);
    expect(taken.stderr.trim()).toBe(
      'baton: the server refused: a plan template named "weather" exists: delete it first (409 plan-template-exists, POST /v1/plan-templates)',
    );
    const invalid = await t.baton(['templates', 'add', file('empty.json')]);
    expect(invalid.code).toBe(6);
    expect(invalid.stderr).toMatch(
      /^baton: the server refused: the request body has 2 problem\(s\): body\.examples: .*; body\.plan: .*\(400 invalid-request, POST \/v1\/plan-templates\)\n$/,
    );
    const listed = await t.baton(['templates', 'ls', '--json']);
    expect(JSON.parse(listed.stdout).map((template: { name: string }) => template.name)).toEqual(['weather']);
    expect((await t.baton(['templates', 'rm', 'weather'])).stdout.trim()).toBe('Template weather removed.');
    expect((await t.baton(['templates', 'rm', 'weather'])).code).toBe(6);
  });
});
