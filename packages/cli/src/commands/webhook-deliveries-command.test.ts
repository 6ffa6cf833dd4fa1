/**
 * `baton webhooks deliveries ID`: a webhook's deliveries as a table (newest first) or JSON, read from a real server
 * that delivers to receivers on loopback — one answering 200, one answering 503 — after real orchestrations.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BatonClient, createClient, createService, memoryInstanceStore, type Service } from '@baton/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliTestServer,
  hasStack,
  runBaton,
  sendJson,
  startCliTestServer,
  startContractServer,
  waitFor,
} from '../cli-test-kit.js';

let t: CliTestServer;
let client: BatonClient;
let service: Service;
const receivers: Server[] = [];
const hooks = { ok: '', failing: '' };

/** A receiver on loopback that answers every delivery with `status`. */
async function receiver(status: number): Promise<string> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(status).end());
  });
  receivers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

beforeAll(async () => {
  t = await startCliTestServer();
  client = createClient({ url: t.url, apiKey: t.apiKey });
  service = createService({
    name: 'echo',
    description: 'Echoes its input',
    instanceStore: memoryInstanceStore(),
    handler: async (input) => input,
  });
  await service.start({ url: t.url, apiKey: t.apiKey });
  const events = ['orchestration.succeeded'];
  hooks.ok = (await client.webhooks.create({ url: await receiver(200), events })).id;
  hooks.failing = (await client.webhooks.create({ url: await receiver(503), events })).id;
  for (const n of [1, 2, 3]) {
    const run = await client.orchestrate({ action: `Echo ${n}`, plan: { steps: [{ id: 'a', target: 'echo' }] } });
    await client.result(run.id);
  }
  await waitFor(async () => {
    const delivered = (await client.webhooks.deliveries(hooks.ok)).items.filter((d) => d.status === 'delivered');
    const tried = (await client.webhooks.deliveries(hooks.failing)).items.filter((d) => d.attempts > 0);
    return delivered.length === 3 && tried.length > 0;
  }, 'three deliveries to the receiver that answers 200, and a first attempt at the one that answers 503');
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await t?.close();
  for (const server of receivers) server.close();
});

describe('baton webhooks deliveries', () => {
  it('lists the deliveries newest first with their status, attempts, last answer and when', async () => {
    const listed = await t.baton(['webhooks', 'deliveries', hooks.ok]);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+EVENT\s+STATUS\s+ATTEMPTS\s+LAST ANSWER\s+CREATED\s+DELIVERED \/ NEXT TRY$/);
    expect(lines.slice(1)).toEqual(
      Array.from({ length: 3 }, () =>
        expect.stringMatching(
          /^\S+\s+orchestration\.succeeded\s+delivered\s+1\s+HTTP 200\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/,
        ),
      ),
    );
    const newestFirst = (await client.webhooks.deliveries(hooks.ok)).items.map((delivery) => delivery.id);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual(newestFirst);
  });

  it('shows why a delivery that is still being retried failed, and when it is tried next', async () => {
    const listed = await t.baton(['webhooks', 'deliveries', hooks.failing]);
    expect(listed.stdout).toMatch(
      /\n\S+\s+orchestration\.succeeded\s+pending\s+[1-9]\d*\s+HTTP 503\s+\S+ \S+\s+next \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\n/,
    );
  });

  it('--limit keeps the newest and says how to see more; --json prints them as the API gives them', async () => {
    const limited = await t.baton(['webhooks', 'deliveries', hooks.ok, '--limit', '2']);
    const lines = limited.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe(`(more: baton webhooks deliveries ${hooks.ok} --limit 4)`);
    const json = JSON.parse((await t.baton(['webhooks', 'deliveries', hooks.ok, '--json', '--limit', '2'])).stdout);
    expect(json).toEqual((await client.webhooks.deliveries(hooks.ok, { limit: 2 })).items);
    expect(json[0]).toMatchObject({ eventType: 'orchestration.succeeded', status: 'delivered', lastStatusCode: 200 });
  });

  it('a webhook with no deliveries says so; an unknown one is refused (exit 6); a bad --limit is a usage mistake', async () => {
    const quiet = (await client.webhooks.create({ url: 'http://127.0.0.1:9/quiet', events: ['compensation.failed'] }))
      .id;
    expect((await t.baton(['webhooks', 'deliveries', quiet])).stdout.trim()).toBe(
      `No deliveries for webhook ${quiet} yet.`,
    );
    const unknown = await t.baton(['webhooks', 'deliveries', 'wh_nothing']);
    expect([unknown.code, unknown.stderr.trim()]).toEqual([
      6,
      'baton: the server refused: no webhook "wh_nothing" in this project (404 not-found, GET /v1/webhooks/wh_nothing/deliveries)',
    ]);
    expect(hasStack(unknown.stderr)).toBe(false);
    const usage = await t.baton(['webhooks', 'deliveries', quiet, '--limit', '0']);
    expect([usage.code, usage.stderr.trim()]).toEqual([
      2,
      'baton: --limit must be a whole number from 1 to 1000, got "0"',
    ]);
  });

  it("reads past the server's largest page (100) when --limit asks for more", async () => {
    const delivery = (n: number) => ({
      id: `msg_${n}`,
      eventType: 'orchestration.succeeded',
      status: 'delivered',
      attempts: 1,
      lastStatusCode: 200,
      lastError: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      deliveredAt: '2026-01-01T00:00:01.000Z',
      nextAttemptAt: null,
    });
    const all = Array.from({ length: 250 }, (_, n) => delivery(n));
    const server = await startContractServer({
      'GET /v1/webhooks/:id/deliveries': (request, response) => {
        const from = Number(request.query.get('cursor') ?? 0);
        const to = from + Number(request.query.get('limit'));
        sendJson(response, 200, { items: all.slice(from, to), nextCursor: to < all.length ? String(to) : null });
      },
    });
    try {
      const env = { BATON_URL: server.url, BATON_API_KEY: t.apiKey };
      const listed = await runBaton(['webhooks', 'deliveries', 'wh_many', '--limit', '150', '--json'], {
        home: t.home,
        env,
      });
      expect((JSON.parse(listed.stdout) as Array<{ id: string }>).map((item) => item.id)).toEqual(
        all.slice(0, 150).map((item) => item.id),
      );
      expect(server.requests.map((request) => request.query.toString())).toEqual(['limit=100', 'limit=50&cursor=100']);
      const table = await runBaton(['webhooks', 'deliveries', 'wh_many', '--limit', '250'], { home: t.home, env });
      expect(table.stdout.trimEnd().split('\n')).toHaveLength(251);
    } finally {
      await server.close();
    }
  });
});
