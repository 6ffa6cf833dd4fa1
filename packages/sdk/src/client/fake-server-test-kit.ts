/**
 * A local `node:http` server that imitates the Baton server's routes for the client's tests, recording every request;
 * plus sample bodies and SSE frames. The client's contract, not the real server.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1/orchestrations?limit=2`. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export type FakeHandler = (request: RecordedRequest, response: ServerResponse) => unknown;

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * @example
 * const server = await startFakeServer((request, response) => sendJson(response, 200, { ok: true }));
 */
export async function startFakeServer(handler: FakeHandler): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer(async (incoming, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const parsed = new URL(incoming.url ?? '/', 'http://localhost');
    const request: RecordedRequest = {
      method: incoming.method ?? 'GET',
      url: incoming.url ?? '/',
      path: parsed.pathname,
      query: parsed.searchParams,
      headers: incoming.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    requests.push(request);
    try {
      await handler(request, response);
    } catch (error) {
      if (!response.headersSent) sendJson(response, 599, { thrownByTheFakeServer: String(error) });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

export function sendProblem(
  response: ServerResponse,
  status: number,
  fields: { code: string; title?: string; detail?: string; problems?: unknown[] },
  headers: Record<string, string> = {},
) {
  const body = {
    type: `https://baton.dev/problems/${fields.code}`,
    title: fields.title ?? 'Problem',
    status,
    detail: fields.detail ?? `a ${fields.code} problem`,
    code: fields.code,
    ...(fields.problems ? { problems: fields.problems } : {}),
  };
  response.writeHead(status, { 'content-type': 'application/problem+json', ...headers });
  response.end(JSON.stringify(body));
}

/** Writes and waits until the bytes are handed to the socket, so a following `destroy()` cannot drop them. */
export function writeFlushed(response: ServerResponse, text: string): Promise<void> {
  return new Promise((resolve, reject) => response.write(text, (error) => (error ? reject(error) : resolve())));
}

export function startEventStream(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.flushHeaders();
}

export const PLAN = { steps: [{ id: 'fetch', target: 'fetcher' }] };

export function anAccepted(id = 'orc_1') {
  return { id, status: 'running', plan: PLAN, parallelGroups: [['fetch']] };
}

export function anOrchestration(overrides: Record<string, unknown> = {}) {
  return {
    id: 'orc_1',
    action: { content: 'do it' },
    status: 'running',
    plan: PLAN,
    planning: null,
    parallelGroups: [['fetch']],
    steps: [],
    error: null,
    usage: {},
    retries: 0,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: null,
    ...overrides,
  };
}

export function aSummary(id: string) {
  const { id: _id, action, status, retries, createdAt, updatedAt, finishedAt } = anOrchestration();
  return { id, action, status, retries, createdAt, updatedAt, finishedAt };
}

/** One SSE frame of an orchestration event; journal events pass an id, live ones none. */
export function eventFrame(type: string, id?: number, data: unknown = {}, orchestrationId = 'orc_1'): string {
  const event = { type, orchestrationId, stepId: null, at: '2026-01-01T00:00:00.000Z', data };
  return `event: ${type}\n${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(event)}\n\n`;
}
