import { request as httpRequest } from 'node:http';
import { createService, memoryInstanceStore } from '@baton/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server-test-kit.js';

let t: TestServer | undefined;
const stops: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await t?.close();
  t = undefined;
});

describe('limits', () => {
  it('carries 10 MiB into a service and 10 MiB back, through HTTP, the socket and the journal', async () => {
    t = await startTestServer();
    const size = 10 * 1024 * 1024;
    const service = createService({
      name: 'big',
      description: 'Returns a payload as large as the one it got',
      instanceStore: memoryInstanceStore(),
      handler: async (input) => {
        const text = (input as { blob: string }).blob;
        return { length: text.length, back: text.replace(/a/g, 'b') };
      },
    });
    await service.start({ url: t.server.url, apiKey: t.apiKey });
    stops.push(() => service.stop());
    const submitted = await t.request('/v1/orchestrations', {
      method: 'POST',
      body: JSON.stringify({
        action: { content: 'echo a large payload' },
        data: { blob: 'a'.repeat(size) },
        plan: { steps: [{ id: 'big', target: 'big', input: { blob: { $ref: 'request.data.blob' } } }] },
      }),
    });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };
    // The list is cheap to poll; the orchestration itself (30 MiB of input, output and result) is read once.
    for (;;) {
      const list = (await (await t.request('/v1/orchestrations?limit=1')).json()) as {
        items: Array<{ status: string }>;
      };
      if (list.items[0]?.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const view = (await (await t.request(`/v1/orchestrations/${id}`)).json()) as {
      status: string;
      result?: { big: { length: number; back: string } };
    };
    expect(view.status).toBe('succeeded');
    expect(view.result?.big.length).toBe(size);
    expect(view.result?.big.back.length).toBe(size);
    expect(view.result?.big.back.startsWith('bbbb')).toBe(true);
  }, 120_000);

  it('answers 429 with Retry-After past the per-key rate, and other keys are not affected', async () => {
    t = await startTestServer({ requestsPerSecond: 5 });
    const other = (await (
      await t.request('/v1/api-keys', { method: 'POST', body: JSON.stringify({ name: 'other' }) })
    ).json()) as {
      key: string;
    };
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 20 && limited === undefined; i += 1) {
      const response = await t.request('/v1/services');
      statuses.push(response.status);
      if (response.status === 429) limited = response;
    }
    expect(limited).toBeDefined();
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const problem = (await limited?.json()) as { code: string; detail: string };
    expect(problem.code).toBe('rate-limited');
    expect(problem.detail).toMatch(/more than 5 requests a second/);
    expect((await t.request('/v1/services', { key: other.key })).status).toBe(200);
  });

  it('answers 413 for a body over the limit and keeps serving', async () => {
    t = await startTestServer({ bodyLimitBytes: 1024 });
    const response = await t.request('/v1/orchestrations', {
      method: 'POST',
      body: JSON.stringify({ action: { content: 'x'.repeat(2000) } }),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(((await response.json()) as { code: string }).code).toBe('body-too-large');
    expect((await t.request('/v1/services')).status).toBe(200);
  });

  it('answers Expect: 100-continue with the 413 for a declared length over the limit, before the body is sent', async () => {
    t = await startTestServer({ bodyLimitBytes: 1024 });
    const server = t.server;
    const ask = (length: number) =>
      new Promise<{ continued: boolean; status: number; body: string }>((resolve, reject) => {
        let continued = false;
        const body = JSON.stringify({ name: 'x'.repeat(Math.max(0, length - 11)) });
        const sent = httpRequest(`${server.url}/v1/api-keys`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${t?.apiKey}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            expect: '100-continue',
          },
        });
        sent.on('continue', () => {
          continued = true;
          sent.end(body);
        });
        sent.on('response', (response) => {
          let text = '';
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve({ continued, status: response.statusCode ?? 0, body: text }));
        });
        sent.on('error', reject);
        sent.flushHeaders();
      });
    const refused = await ask(5000);
    expect(refused).toMatchObject({ continued: false, status: 413 });
    expect(JSON.parse(refused.body)).toMatchObject({
      code: 'body-too-large',
      status: 413,
      instance: expect.stringMatching(/^urn:request:[0-9a-f-]{36}$/),
    });
    // Under the limit the client is told to go on, and its request is served as any other.
    const served = await ask(60);
    expect(served).toMatchObject({ continued: true, status: 201 });
  });
});
