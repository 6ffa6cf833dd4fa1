/**
 * For the server's tests: a server on a temporary SQLite file (or a PostgreSQL schema), a project with its key, raw
 * socket services that speak the protocol by hand (so tests see every frame), and condition waits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { BatonServerOptions } from './server-options.js';
import { type BatonServer, startServer } from './start-server.js';

export interface TestServer {
  server: BatonServer;
  dir: string;
  adminToken: string;
  /** A project and its first key. */
  projectId: string;
  apiKey: string;
  request(path: string, init?: RequestInit & { key?: string | null }): Promise<Response>;
  close(): Promise<void>;
}

export const TEST_ADMIN_TOKEN = `badm_${'t'.repeat(43)}`;

export async function startTestServer(options: BatonServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-server-'));
  const server = await startServer({
    databaseUrl: join(dir, 'baton.db'),
    port: 0,
    logger: false,
    adminToken: TEST_ADMIN_TOKEN,
    heartbeatMs: 1000,
    ...options,
  });
  const request = (path: string, init: RequestInit & { key?: string | null } = {}) => {
    const { key, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (key !== null) headers.set('authorization', `Bearer ${key ?? project.apiKey}`);
    if (rest.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
    return fetch(`${server.url}${path}`, { ...rest, headers });
  };
  const project = { apiKey: '', projectId: '' };
  const created = await request('/v1/projects', {
    method: 'POST',
    key: TEST_ADMIN_TOKEN,
    body: JSON.stringify({ name: 'test' }),
  });
  const body = (await created.json()) as { project: { id: string }; apiKey: { key: string } };
  project.apiKey = body.apiKey.key;
  project.projectId = body.project.id;
  return {
    server,
    dir,
    adminToken: TEST_ADMIN_TOKEN,
    projectId: project.projectId,
    apiKey: project.apiKey,
    request,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RawService {
  socket: WebSocket;
  /** Every message received, parsed, in order. */
  received: Array<Record<string, unknown>>;
  send(message: Record<string, unknown>): void;
  /** Resolves with the first received message matching `predicate` (also one already received). */
  next(predicate: (message: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

let counter = 0;

/** Opens a socket with `apiKey`; `hello` registers it (answer tasks yourself, or pass `answer`). */
export async function connectRawService(
  url: string,
  apiKey: string,
  options: {
    hello?: Record<string, unknown>;
    answer?: (task: Record<string, unknown>) => unknown;
    /**
     * Send heartbeats as often as `welcome` asks, as a real service does; without them the server closes an idle
     * instance after three heartbeat intervals (which a slow machine reaches in the middle of a test).
     * @default false
     */
    heartbeat?: boolean;
  } = {},
): Promise<RawService> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/ws`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  const received: Array<Record<string, unknown>> = [];
  const waiters: Array<{
    predicate: (m: Record<string, unknown>) => boolean;
    resolve: (m: Record<string, unknown>) => void;
  }> = [];
  const send = (message: Record<string, unknown>) => socket.send(JSON.stringify({ id: `m${++counter}`, ...message }));
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as Record<string, unknown>;
    received.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
    if (message.type === 'task' && options.answer !== undefined) {
      send({ type: 'ack', of: message.id });
      new Promise((resolve) => resolve(options.answer?.(message))).then(
        (output) => send({ type: 'result', taskId: message.taskId, output: output ?? null }),
        (error: Error) =>
          send({ type: 'task-error', taskId: message.taskId, error: { message: error.message, retryable: false } }),
      );
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`upgrade refused: ${response.statusCode}`)),
    );
  });
  const next = (predicate: (message: Record<string, unknown>) => boolean) => {
    const found = received.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<Record<string, unknown>>((resolve) => waiters.push({ predicate, resolve }));
  };
  if (options.hello !== undefined) {
    send({ type: 'hello', protocol: 1, ...options.hello });
    const answer = await next((message) => message.type === 'welcome' || message.type === 'protocol-error');
    if (options.heartbeat === true && answer.type === 'welcome') {
      const timer = setInterval(
        () => socket.readyState === WebSocket.OPEN && send({ type: 'heartbeat', at: Date.now() }),
        Number(answer.heartbeatMs) / 2,
      );
      socket.once('close', () => clearInterval(timer));
    }
  }
  return {
    socket,
    received,
    send,
    next,
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        socket.close();
      }),
  };
}

/** A service definition for raw services. */
export function echoService(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    service: {
      name,
      description: `Echoes its input (${name})`,
      input: { type: 'object' },
      output: { type: 'object' },
      ...extra,
    },
  };
}

/** Polls `read` every 20 ms until it returns something other than undefined or false (30 s at most). */
export async function waitFor<T>(read: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  for (let attempt = 0; attempt < 1500; attempt += 1) {
    const value = await read();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}
