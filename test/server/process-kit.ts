/**
 * Server and service processes for the process tests (started through `test/children/child-process.ts`), what they
 * printed for failure messages, a free port, a project and its key, a TCP proxy that can cut the connections through
 * it, the task queue's depth, and waits for conditions.
 */
import { createServer, Socket as NetSocket, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach } from 'vitest';
import { type ChildHandle, killChildren, spawnChild } from '../children/child-process.js';
import type { ServerChildConfig } from './server-child.js';
import type { ServiceChildConfig } from './service-child.js';

export { type ChildHandle, killChildren, type LineMatch } from '../children/child-process.js';

const ENTRIES = {
  server: fileURLToPath(new URL('./server-child.ts', import.meta.url)),
  service: fileURLToPath(new URL('./service-child.ts', import.meta.url)),
};

export const ADMIN_TOKEN = `badm_${'p'.repeat(43)}`;
export const SECRET_KEY = 'cd'.repeat(32);

/** Children started since the last `childrenReport()`, for failure messages. */
const started: ChildHandle[] = [];

function startChild(kind: keyof typeof ENTRIES, name: string, config: object): ChildHandle {
  const handle = spawnChild(name, ENTRIES[kind], config);
  started.push(handle);
  return handle;
}

/**
 * Registers, for the calling test file, what ends every test: its children killed (and what they printed shown when
 * the test failed), then the returned list of clean-ups run, last added first.
 */
export function cleanUpAfterEachTest(): Array<() => Promise<void>> {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async (context) => {
    await killChildren();
    const report = childrenReport();
    if (context.task.result?.state === 'fail') console.error(report);
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(killChildren);
  return cleanups;
}

/** What each child started since the last call printed (its last lines) and wrote to stderr; forgets them. */
export function childrenReport(): string {
  return started
    .splice(0)
    .map(
      (handle) =>
        `--- ${handle.name}\n${handle.lines.slice(-40).join('\n')}\n--- ${handle.name} stderr\n${handle.stderr()}`,
    )
    .join('\n');
}

export interface ServerProcess extends ChildHandle {
  readonly url: string;
}

export async function startServerProcess(name: string, config: ServerChildConfig): Promise<ServerProcess> {
  const handle = startChild('server', name, config);
  const ready = await handle.waitFor(/^ready /, { timeoutMs: 90_000 });
  return Object.assign(handle, { url: ready.slice('ready '.length) });
}

export interface ServiceProcess extends ChildHandle {
  /** The instance id the server gave it (or the one it re-attached with). */
  readonly instanceId: string;
}

export async function startServiceProcess(name: string, config: ServiceChildConfig): Promise<ServiceProcess> {
  const handle = startChild('service', name, config);
  const ready = await handle.waitFor(/^ready /, { timeoutMs: 90_000 });
  return Object.assign(handle, { instanceId: ready.slice('ready '.length) });
}

/**
 * A server on `databaseUrl` (a SQLite file or PostgreSQL) and a fixed free port, so it can be killed and started again
 * on the same URL, with short leases and heartbeats (1 s) and a long service grace (2 min): what the restart and
 * failover tests start.
 */
export async function restartableServer(databaseUrl: string, replicaId = 'first-life'): Promise<ServerChildConfig> {
  return {
    databaseUrl,
    port: await freePort(),
    adminToken: ADMIN_TOKEN,
    secretKey: SECRET_KEY,
    leaseMs: 1000,
    heartbeatMs: 1000,
    serviceGraceMs: 120_000,
    replicaId,
  };
}

/** A port nothing listens on now, for a server that must come back on the same URL after a restart. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Creates a project with the admin token; returns its first API key. */
export async function createProject(serverUrl: string, name = 'process-tests'): Promise<string> {
  const response = await fetch(`${serverUrl}/v1/projects`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (response.status !== 201) throw new Error(`creating a project: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { apiKey: { key: string } };
  return body.apiKey.key;
}

/** Polls `condition` until it returns a value other than undefined/false; the timeout only bounds a hung test. */
export async function waitUntil<T>(
  what: string,
  condition: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 90_000,
): Promise<T> {
  const give = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > give) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface CuttableTcpProxy {
  /** `http://127.0.0.1:<port>` of the proxy. */
  readonly url: string;
  /** Drops every open connection and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

/** A TCP proxy to `127.0.0.1:<targetPort>`. */
export async function cuttableTcpProxy(targetPort: number): Promise<CuttableTcpProxy> {
  const sockets = new Set<Socket>();
  let open = true;
  let accepted = 0;
  const server: Server = createServer((socket) => {
    if (!open) return socket.destroy();
    accepted += 1;
    const upstream = new NetSocket();
    upstream.connect(targetPort, '127.0.0.1');
    for (const end of [socket, upstream]) {
      sockets.add(end);
      end.on('close', () => {
        sockets.delete(end);
        socket.destroy();
        upstream.destroy();
      });
      end.on('error', () => {});
    }
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    cut() {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      open = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Tasks the server holds for services with no instance free to take them (`baton_task_queue_depth`). */
export async function taskQueueDepth(serverUrl: string): Promise<number> {
  const text = await (await fetch(`${serverUrl}/metrics`)).text();
  const match = /^baton_task_queue_depth(?:\{[^}]*\})? (\d+)$/m.exec(text);
  if (match === null) throw new Error(`no baton_task_queue_depth in /metrics:\n${text.slice(0, 2000)}`);
  return Number(match[1]);
}
