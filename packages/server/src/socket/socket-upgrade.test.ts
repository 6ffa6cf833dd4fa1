/**
 * Upgrades that do not become a service socket are answered like every other refused request — an RFC 9457 problem
 * document, then the connection closes: 404 for another path, 401 without a live key, 400 (405 for a method other
 * than GET) for a malformed handshake. Never a dropped connection, never `ws`'s text/html page.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeys } from '../auth/api-keys.js';
import { connectRawService, echoService, startTestServer, type TestServer } from '../server-test-kit.js';
import { SocketGateway } from './socket-gateway.js';
import { TaskDispatcher } from './task-dispatcher.js';

type Json = Record<string, any>;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Json;
}

/** Sends an upgrade request with exactly `headers` and resolves with the HTTP answer, once the server closed. */
function upgrade(url: string, path: string, headers: Record<string, string>, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sent = request(`${url}${path}`, { method, headers: { connection: 'Upgrade', ...headers } });
    sent.once('upgrade', (_response, socket) => {
      socket.destroy();
      reject(new Error(`${path} was upgraded`));
    });
    sent.once('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: JSON.parse(text) as Json });
        } catch {
          reject(new Error(`${response.statusCode} ${response.headers['content-type']}: ${text.slice(0, 200)}`));
        }
      });
    });
    sent.once('error', reject);
    sent.end();
  });
}

const handshake = (apiKey: string) => ({
  upgrade: 'websocket',
  'sec-websocket-key': Buffer.from(randomUUID().slice(0, 16)).toString('base64'),
  'sec-websocket-version': '13',
  authorization: `Bearer ${apiKey}`,
});

function expectProblem(answer: Answer, status: number, code: string): Json {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.headers['content-type']).toBe('application/problem+json');
  expect(answer.headers.connection).toBe('close');
  expect(answer.body).toMatchObject({
    type: `urn:baton:problem:${code}`,
    title: expect.any(String),
    status,
    code,
    detail: expect.any(String),
  });
  return answer.body;
}

describe('upgrades on /v1/ws that cannot become a socket', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers a plain request to /v1/ws, key or not, with a 426 saying to open a WebSocket', async () => {
    for (const headers of [{}, { authorization: `Bearer ${t.apiKey}` }] as Record<string, string>[]) {
      const answer = await fetch(`${t.server.url}/v1/ws`, { headers });
      expect(answer.status).toBe(426);
      expect(answer.headers.get('upgrade')).toBe('websocket');
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      const body = (await answer.json()) as Json;
      expect(body).toMatchObject({ status: 426, code: 'upgrade-required' });
      expect(body.detail).toContain('open it as a WebSocket');
    }
  });

  it('answers a handshake without Sec-WebSocket-Key with a 400 naming it', async () => {
    const { 'sec-websocket-key': _key, ...withoutKey } = handshake(t.apiKey);
    const body = expectProblem(await upgrade(t.server.url, '/v1/ws', withoutKey), 400, 'invalid-upgrade');
    expect(body.detail).toContain('Sec-WebSocket-Key');
    expect(body.problems).toEqual([
      { path: 'headers', code: 'invalid-upgrade', message: expect.stringContaining('Sec-WebSocket-Key') },
    ]);
  });

  it('answers a malformed key, a wrong Upgrade and an unknown version with a 400 naming each', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'sec-websocket-key': 'short' }, 'Sec-WebSocket-Key'],
      [{ upgrade: 'h2c' }, 'Upgrade'],
      [{ 'sec-websocket-version': '7' }, 'Sec-WebSocket-Version'],
    ];
    for (const [change, named] of cases) {
      const answer = await upgrade(t.server.url, '/v1/ws', { ...handshake(t.apiKey), ...change });
      expect(expectProblem(answer, 400, 'invalid-upgrade').detail).toContain(named);
      // RFC 6455 §4.4: an unknown version is answered with the versions the server speaks.
      const versions = change['sec-websocket-version'] === undefined ? undefined : '13, 8';
      expect(answer.headers['sec-websocket-version']).toBe(versions);
    }
  });

  it('answers an upgrade by another method than GET with a 405', async () => {
    const answer = await upgrade(t.server.url, '/v1/ws', handshake(t.apiKey), 'POST');
    expect(expectProblem(answer, 405, 'method-not-allowed').detail).toContain('GET');
    expect(answer.headers.allow).toBe('GET');
  });

  it('answers an upgrade without a live key with a 401 and the Bearer challenge', async () => {
    const answer = await upgrade(t.server.url, '/v1/ws', handshake('bk_not-a-key'));
    expectProblem(answer, 401, 'unauthorized');
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="baton"');
  });

  it('still opens a well-formed upgrade', async () => {
    const service = await connectRawService(t.server.url, t.apiKey, { hello: echoService('after-refusals') });
    expect(service.received[0]).toMatchObject({ type: 'welcome' });
    await service.close();
  });
});

describe('SocketGateway.handleUpgrade on any path', () => {
  let http: Server;
  let gateway: SocketGateway;
  let url: string;

  beforeAll(async () => {
    const apiKeys = { authenticate: async () => undefined } as unknown as ApiKeys;
    gateway = new SocketGateway({
      apiKeys,
      register: async () => {
        throw new Error('no registration in this test');
      },
      dispatcher: new TaskDispatcher({ graceMs: 0, newId: randomUUID }),
      heartbeatMs: 60_000,
      logger: { info: () => {}, warn: () => {} },
    });
    // As the server wires it: every upgrade goes to the gateway.
    http = createServer((_request, response) => response.writeHead(404).end());
    http.on('upgrade', (incoming, socket, head) => void gateway.handleUpgrade(incoming, socket, head));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await gateway?.close();
    await new Promise<void>((resolve) => http?.close(() => resolve()));
  });

  it.each(['/v1/wss', '/v1/ws/', '/', '/v1/ws/extra?x=1', '/V1/WS'])('answers %s with a 404 problem', async (path) => {
    const body = expectProblem(await upgrade(url, path, handshake('bk_any')), 404, 'no-route');
    expect(body.detail).toBe(`no WebSocket endpoint at GET ${path.split('?')[0]}; services connect to GET /v1/ws`);
  });

  it('checks the key of an upgrade on /v1/ws, query string and all', async () => {
    expectProblem(await upgrade(url, '/v1/ws?instance=1', handshake('bk_any')), 401, 'unauthorized');
  });
});
