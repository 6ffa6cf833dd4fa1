/**
 * Who may do what, and what never leaks: missing, wrong, malformed and revoked keys are refused (HTTP and the socket
 * upgrade, and an open socket is closed when its key is revoked); admin and project credentials are not
 * interchangeable; another project's ids are not found and its objects never listed; webhooks cannot point at private
 * addresses; keys and webhook secrets are never stored or logged in plain text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  connectRawService,
  echoService,
  type RawService,
  startTestServer,
  type TestServer,
  waitFor,
} from '../server-test-kit.js';

type Json = Record<string, any>;

/** Opens the service socket with exactly `authorization` (or none) and resolves with the upgrade's status. */
function upgradeStatus(url: string, authorization: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/ws`, {
      headers: authorization === undefined ? {} : { authorization },
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('open', () => {
      resolve(101);
      socket.close();
    });
    socket.once('error', (error) => {
      if (!String(error.message).includes('Unexpected server response')) reject(error);
    });
  });
}

async function expectProblem(response: Response, status: number, code?: string): Promise<Json> {
  const text = await response.text();
  expect(response.status, text.slice(0, 300)).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(text) as Json;
  expect(body).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  if (code !== undefined) expect(body.code).toBe(code);
  // Refusals carry the request id too, in the header and as the problem's instance.
  const requestId = response.headers.get('x-request-id');
  expect(requestId).toBeTruthy();
  expect(body.instance).toBe(`urn:request:${requestId}`);
  return body;
}

describe('security', () => {
  const logLines: string[] = [];
  let t: TestServer;
  let other: { projectId: string; apiKey: string };
  let service: RawService;
  let webhookSecret: string;
  const secrets: string[] = [];
  const mine: Json = {};

  const asOther = (path: string, init: RequestInit = {}) => t.request(path, { ...init, key: other.apiKey });

  beforeAll(async () => {
    const logger = pino(
      { level: 'trace' },
      new Writable({
        write(chunk, _encoding, done) {
          logLines.push(String(chunk));
          done();
        },
      }),
    );
    t = await startTestServer({ logger, heartbeatMs: 2000 });
    const created = await t.request('/v1/projects', {
      method: 'POST',
      key: t.adminToken,
      body: JSON.stringify({ name: 'other' }),
    });
    const body = (await created.json()) as Json;
    other = { projectId: body.project.id, apiKey: body.apiKey.key };
    secrets.push(t.apiKey, other.apiKey, t.adminToken);

    service = await connectRawService(t.server.url, t.apiKey, {
      hello: echoService('mine-only'),
      answer: (task) => task.input,
      heartbeat: true,
    });
    mine.serviceId = service.received[0]?.serviceId;
    const key = (await (
      await t.request('/v1/api-keys', { method: 'POST', body: JSON.stringify({ name: 'second' }) })
    ).json()) as Json;
    mine.keyId = key.id;
    secrets.push(key.key);
    const hook = (await (
      await t.request('/v1/webhooks', { method: 'POST', body: JSON.stringify({ url: 'https://93.184.215.14/hook' }) })
    ).json()) as Json;
    mine.webhookId = hook.id;
    webhookSecret = hook.secret;
    expect(webhookSecret).toMatch(/^whsec_/);
    secrets.push(webhookSecret);
    const orchestration = (await (
      await t.request('/v1/orchestrations', {
        method: 'POST',
        body: JSON.stringify({
          action: { content: 'top secret action' },
          plan: {
            steps: [
              { id: 'a', target: 'mine-only', input: { secret: 'the-payload' } },
              { id: 'ok', approval: { prompt: 'Ship the secret?' }, dependsOn: ['a'] },
            ],
          },
        }),
      })
    ).json()) as Json;
    mine.orchestrationId = orchestration.id;
    const approvals = await waitFor(async () => {
      const listed = (await (await t.request('/v1/approvals')).json()) as Json;
      return listed.items.length > 0 ? (listed.items as Json[]) : undefined;
    }, 'the approval');
    mine.approvalId = approvals[0]?.id;
  });

  afterAll(async () => {
    await service?.close();
    await t?.close();
  });

  it('refuses requests without a key, with a wrong or malformed one (401, with a challenge)', async () => {
    const headers = [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `Basic ${Buffer.from('user:pass').toString('base64')}`,
      `Token ${t.apiKey}`,
      t.apiKey,
      `Bearer ${t.apiKey} extra`,
      `Bearer ${t.apiKey}x`,
      `Bearer ${t.apiKey.slice(0, -1)}`,
      `Bearer ${t.apiKey.toUpperCase()}`,
      'Bearer bk_0000000000000000000000000000000000000000000',
      `Bearer ${'b'.repeat(10_000)}`,
      `Bearer ${t.apiKey},${t.apiKey}`,
    ];
    for (const header of headers) {
      for (const path of ['/v1/services', '/v1/orchestrations', '/v1/projects']) {
        const response = await t.request(path, {
          key: null,
          ...(header === undefined ? {} : { headers: { authorization: header } }),
        });
        const problem = await expectProblem(response, 401, 'unauthorized');
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(JSON.stringify(problem)).not.toContain(t.apiKey);
      }
      expect(await upgradeStatus(t.server.url, header)).toBe(401);
    }
    expect(await upgradeStatus(t.server.url, `Bearer ${t.apiKey}`)).toBe(101);
  });

  it('keeps admin and project credentials apart (403)', async () => {
    await expectProblem(await t.request('/v1/projects'), 403, 'admin-only');
    await expectProblem(
      await t.request('/v1/projects', { method: 'POST', body: JSON.stringify({ name: 'sneaky' }) }),
      403,
      'admin-only',
    );
    for (const path of ['/v1/services', '/v1/orchestrations', '/v1/api-keys', '/v1/webhooks', '/v1/approvals']) {
      await expectProblem(await t.request(path, { key: t.adminToken }), 403, 'project-key-required');
    }
    await expectProblem(
      await t.request('/v1/api-keys', { method: 'POST', key: t.adminToken, body: JSON.stringify({ name: 'x' }) }),
      403,
      'project-key-required',
    );
    expect(await upgradeStatus(t.server.url, `Bearer ${t.adminToken}`)).toBe(401);
    // A path no route takes is not there for the admin either: 404, as for a project key.
    for (const key of [t.adminToken, t.apiKey]) {
      const problem = await expectProblem(await t.request('/v1/orchestration', { key }), 404, 'no-route');
      expect(problem.detail).toBe('no route GET /v1/orchestration');
    }
  });

  it("answers another project's ids with 404 and never shows its objects", async () => {
    const notFound = async (response: Response) => {
      const problem = await expectProblem(response, 404);
      const text = JSON.stringify(problem);
      for (const leak of ['top secret action', 'the-payload', 'Ship the secret?', 'mine-only', t.projectId]) {
        expect(text).not.toContain(leak);
      }
    };
    // A plan naming a version of a service it lacks lists the other project's services, never this one's, nor the
    // server's own targets.
    const theirs = await connectRawService(t.server.url, other.apiKey, { hello: echoService('theirs-only') });
    const versioned = { steps: [{ id: 'a', target: 'theirs-only@^9' }] };
    const refused = await expectProblem(
      await asOther('/v1/orchestrations', {
        method: 'POST',
        body: JSON.stringify({ action: { content: 'x' }, plan: versioned }),
      }),
      400,
      'invalid-plan',
    );
    const said = JSON.stringify(refused);
    expect(said).toContain('registered in this project: theirs-only');
    for (const leak of ['mine-only', t.projectId, 'baton.']) expect(said).not.toContain(leak);
    await theirs.close();
    const o = mine.orchestrationId as string;
    await notFound(await asOther(`/v1/orchestrations/${o}`));
    await notFound(await asOther(`/v1/orchestrations/${o}/events`));
    await notFound(await asOther(`/v1/orchestrations/${o}/cancel`, { method: 'POST', body: '{}' }));
    await notFound(await asOther(`/v1/orchestrations/${o}/retry`, { method: 'POST' }));
    await notFound(await asOther(`/v1/services/${mine.serviceId}`));
    await notFound(await asOther(`/v1/services/${mine.serviceId}`, { method: 'DELETE' }));
    await notFound(await asOther(`/v1/webhooks/${mine.webhookId}/deliveries`));
    await notFound(await asOther(`/v1/webhooks/${mine.webhookId}`, { method: 'DELETE' }));
    await notFound(await asOther(`/v1/api-keys/${mine.keyId}`, { method: 'DELETE' }));
    await notFound(await asOther(`/v1/approvals/${mine.approvalId}/approve`, { method: 'POST', body: '{}' }));
    await notFound(
      await asOther(`/v1/approvals/${mine.approvalId}/reject`, {
        method: 'POST',
        body: JSON.stringify({ reason: 'not yours' }),
      }),
    );

    for (const path of [
      '/v1/orchestrations',
      '/v1/services',
      '/v1/webhooks',
      '/v1/api-keys',
      '/v1/approvals',
      '/v1/compensation-failures',
    ]) {
      const response = await asOther(path);
      expect(response.status).toBe(200);
      const text = await response.text();
      for (const id of Object.values(mine) as string[]) expect(text, path).not.toContain(id);
      expect(text).not.toContain('top secret action');
      expect(text).not.toContain('mine-only');
    }
    const plan = await asOther('/v1/orchestrations', {
      method: 'POST',
      body: JSON.stringify({ action: { content: 'borrow' }, plan: { steps: [{ id: 'a', target: 'mine-only' }] } }),
    });
    const problem = await expectProblem(plan, 400, 'invalid-plan');
    expect(problem.problems[0]).toMatchObject({ path: 'plan.steps[0].target', code: 'unknown-service' });

    // Nothing of the above changed anything in this project.
    expect((await t.request(`/v1/services/${mine.serviceId}`)).status).toBe(200);
    expect((await t.request(`/v1/webhooks/${mine.webhookId}/deliveries`)).status).toBe(200);
    const approvals = (await (await t.request('/v1/approvals')).json()) as Json;
    expect(approvals.items).toEqual([expect.objectContaining({ id: mine.approvalId, status: 'pending' })]);
    const keys = (await (await t.request('/v1/api-keys')).json()) as Json;
    expect(keys.items.map((key: Json) => key.id)).toContain(mine.keyId);
    const view = (await (await t.request(`/v1/orchestrations/${mine.orchestrationId}`)).json()) as Json;
    expect(view.status).toBe('waiting');
  });

  it('refuses webhooks to private, loopback and link-local addresses', async () => {
    const urls = [
      'http://127.0.0.1:8080/hook',
      'http://localhost:8080/hook',
      'http://LOCALHOST/hook',
      'http://localhost./hook',
      'http://127.1/hook',
      'http://2130706433/hook',
      'http://0x7f000001/hook',
      'http://0.0.0.0/hook',
      'http://10.1.2.3/hook',
      'http://172.16.0.1/hook',
      'http://192.168.1.1/hook',
      'http://100.64.0.1/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/hook',
      'http://[::]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://[::ffff:a9fe:a9fe]/hook',
      'http://[fd00::1]/hook',
      'http://[fe80::1]/hook',
      'https://user:s3cr3t-pw@127.0.0.1/hook',
      'https://user:s3cr3t-pw@example.com/hook',
    ];
    for (const url of urls) {
      const response = await t.request('/v1/webhooks', { method: 'POST', body: JSON.stringify({ url }) });
      const problem = await expectProblem(response, 400);
      expect(problem.problems?.[0]?.path, url).toMatch(/url/);
      expect(problem.detail.length).toBeLessThan(2000);
      expect(JSON.stringify(problem)).not.toContain('s3cr3t-pw');
    }
    const listed = (await (await t.request('/v1/webhooks')).json()) as Json;
    expect(listed.items.map((hook: Json) => hook.id)).toEqual([mine.webhookId]);
  });

  it('gives API keys as bk_ and 40 characters or more, and lists only their prefixes', async () => {
    for (const key of [t.apiKey, other.apiKey]) {
      expect(key).toMatch(/^bk_[A-Za-z0-9]+$/);
      expect(key.length).toBeGreaterThanOrEqual(40);
    }
    const response = await t.request('/v1/api-keys');
    const text = await response.text();
    const listed = JSON.parse(text) as Json;
    expect(listed.items.length).toBeGreaterThanOrEqual(2);
    for (const key of listed.items as Json[]) {
      expect(key).not.toHaveProperty('key');
      expect(key.prefix).toMatch(/^bk_/);
      expect(key.prefix.length).toBeLessThan(16);
    }
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(listed.items.map((key: Json) => key.prefix)).toContain(t.apiKey.slice(0, listed.items[0].prefix.length));
  });

  it("keeps a project's only live key: revoking it would leave the project unreachable", async () => {
    const made = (await (
      await t.request('/v1/projects', { method: 'POST', key: t.adminToken, body: JSON.stringify({ name: 'lonely' }) })
    ).json()) as Json;
    secrets.push(made.apiKey.key);
    const only = made.apiKey.key as string;
    const refused = await expectProblem(
      await t.request(`/v1/api-keys/${made.apiKey.id}`, { method: 'DELETE', key: only }),
      409,
      'last-api-key',
    );
    expect(refused.detail).toContain('create another key (POST /v1/api-keys) first');
    expect((await t.request('/v1/services', { key: only })).status).toBe(200);
    // With another key made, the first can go; then the other is the last.
    const next = (await (
      await t.request('/v1/api-keys', { method: 'POST', key: only, body: JSON.stringify({ name: 'next' }) })
    ).json()) as Json;
    secrets.push(next.key);
    expect((await t.request(`/v1/api-keys/${made.apiKey.id}`, { method: 'DELETE', key: next.key })).status).toBe(204);
    await expectProblem(
      await t.request(`/v1/api-keys/${next.id}`, { method: 'DELETE', key: next.key }),
      409,
      'last-api-key',
    );
  });

  it('refuses a revoked key at once, closing the sockets, event streams and held answers opened with it', async () => {
    const created = (await (
      await t.request('/v1/api-keys', { method: 'POST', body: JSON.stringify({ name: 'short-lived' }) })
    ).json()) as Json;
    secrets.push(created.key);
    expect((await t.request('/v1/services', { key: created.key })).status).toBe(200);
    const registered = await connectRawService(t.server.url, created.key, {
      hello: echoService('short-lived'),
      heartbeat: true,
    });
    const unregistered = await connectRawService(t.server.url, created.key);
    const closes = [registered, unregistered].map(
      (raw) =>
        new Promise<number>((resolve) => {
          if (raw.socket.readyState === WebSocket.CLOSED) resolve(1006);
          raw.socket.once('close', (code) => resolve(code));
        }),
    );
    // An event stream and a held answer of the orchestration waiting on its approval, both made with the key.
    const stream = await t.request(`/v1/orchestrations/${mine.orchestrationId}/events`, { key: created.key });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    let streamed = '';
    const streamEnded = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        streamed += new TextDecoder().decode(value);
      }
    })();
    const listed = async () => ((await (await t.request('/v1/orchestrations')).json()) as Json).items.length as number;
    const count = await listed();
    const held = t.request('/v1/orchestrations?waitMs=60000', {
      method: 'POST',
      key: created.key,
      body: JSON.stringify({ action: { content: 'wait' }, plan: { steps: [{ id: 'ok', approval: { prompt: '?' } }] } }),
    });
    // Both are past their authentication: the stream has sent what the journal holds, the orchestration exists.
    await waitFor(() => streamed.includes('approval-request') || undefined, 'the stream to send the journal');
    await waitFor(async () => (await listed()) > count || undefined, 'the held orchestration');
    expect((await t.request(`/v1/api-keys/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await Promise.all(closes)).toEqual([4001, 4001]);
    await expectProblem(await held, 401, 'unauthorized');
    await streamEnded;
    await expectProblem(await t.request('/v1/services', { key: created.key }), 401, 'unauthorized');
    expect(await upgradeStatus(t.server.url, `Bearer ${created.key}`)).toBe(401);
    await expect(connectRawService(t.server.url, created.key)).rejects.toThrow(/401/);
    // The other keys and the sockets opened with them are untouched.
    expect((await t.request('/v1/services')).status).toBe(200);
    expect(service.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('never stores a key or a webhook secret in plain text, nor logs one', async () => {
    // A few more requests so the log has something to say.
    await t.request('/v1/services', { key: 'bk_wrong' });
    await t.request(`/v1/webhooks/${mine.webhookId}/deliveries`);
    await t.request(`/v1/orchestrations/${'x'.repeat(10_000)}`);
    const inBytes = (bytes: Buffer, secret: string) =>
      bytes.includes(Buffer.from(secret)) || bytes.includes(Buffer.from(secret.replace(/^[a-z]+_/, '')));
    const databaseFiles = () =>
      readdirSync(t.dir)
        .filter((file) => /\.db(-wal|-shm)?$/.test(file))
        .map((file) => [file, readFileSync(join(t.dir, file))] as const);
    const files = databaseFiles();
    expect(files.map(([file]) => file)).toEqual(expect.arrayContaining(['baton.db']));
    // The search works: what is stored in plain text (an orchestration's action) is found.
    expect(files.some(([, bytes]) => bytes.includes(Buffer.from('top secret action')))).toBe(true);
    for (const [file, bytes] of files) {
      for (const secret of secrets) expect(inBytes(bytes, secret), `${file} holds a secret`).toBe(false);
    }
    // Once closed, the write-ahead log is folded into the database file: it holds no secret either.
    await t.server.close();
    for (const [file, bytes] of databaseFiles()) {
      for (const secret of secrets) expect(inBytes(bytes, secret), `${file} holds a secret after close`).toBe(false);
    }
    const log = logLines.join('');
    expect(log).toContain('"msg":"request"');
    // A 10 KB path is logged clipped.
    const paths = logLines.map((line) => (JSON.parse(line) as { path?: string }).path ?? '');
    expect(paths.some((path) => path.startsWith('/v1/orchestrations/xxx'))).toBe(true);
    expect(Math.max(...paths.map((path) => path.length))).toBeLessThanOrEqual(300);
    for (const secret of secrets) expect(log.includes(secret.replace(/^[a-z]+_/, ''))).toBe(false);
  });
});
