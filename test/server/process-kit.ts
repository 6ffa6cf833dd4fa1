/**
 * Server and service processes for the process tests: each child is bundled once with esbuild (cached by content
 * hash, like `test/durable/worker-process.ts`) so it starts fast, spawned with its JSON config, watched line by line,
 * and SIGKILLed. Every child is remembered so `killChildren()` ends what a failed test left behind. Also here: a free
 * port, a project and its key, a TCP proxy that can cut the connections through it, the task queue's depth, and
 * waits for conditions.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, Socket as NetSocket, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import type { ServerChildConfig } from './server-child.js';
import type { ServiceChildConfig } from './service-child.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRIES = {
  server: fileURLToPath(new URL('./server-child.ts', import.meta.url)),
  service: fileURLToPath(new URL('./service-child.ts', import.meta.url)),
};
const bundles = new Map<keyof typeof ENTRIES, Promise<string>>();

export const ADMIN_TOKEN = `badm_${'p'.repeat(43)}`;
export const SECRET_KEY = 'cd'.repeat(32);

/** Baton's own packages are bundled from source; every other package is left to Node (no package nests its own). */
const externalDependencies: Plugin = {
  name: 'external-dependencies',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@baton/') || args.path.startsWith('node:') ? undefined : { external: true },
    );
  },
};

/** The child's bundle, built once per test process, kept under node_modules so its imports resolve. */
function bundle(kind: keyof typeof ENTRIES): Promise<string> {
  let built = bundles.get(kind);
  if (built === undefined) {
    built = buildBundle(kind);
    bundles.set(kind, built);
  }
  return built;
}

async function buildBundle(kind: keyof typeof ENTRIES): Promise<string> {
  const folder = join(ROOT, 'node_modules', '.cache', 'baton-server-process-tests');
  mkdirSync(folder, { recursive: true });
  const [output] = (
    await build({
      entryPoints: [ENTRIES[kind]],
      bundle: true,
      write: false,
      outdir: folder,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['@baton/source'],
      plugins: [externalDependencies],
      logLevel: 'warning',
    })
  ).outputFiles;
  const name = `${kind}-${createHash('sha256').update(output!.contents).digest('hex').slice(0, 16)}.mjs`;
  const outfile = join(folder, name);
  if (!existsSync(outfile)) {
    const partial = `${outfile}.${process.pid}.tmp`;
    writeFileSync(partial, output!.contents);
    renameSync(partial, outfile);
  }
  for (const old of readdirSync(folder)) {
    const path = join(folder, old);
    if (old !== name && Date.now() - statSync(path).mtimeMs > 86_400_000) rmSync(path, { force: true });
  }
  return outfile;
}

export type LineMatch = string | RegExp | ((line: string) => boolean);

export interface ChildHandle {
  readonly name: string;
  readonly child: ChildProcess;
  /** Every line it printed so far. */
  readonly lines: readonly string[];
  /** Resolves with the first line from index `from` on that matches; rejects if it exits first or the time is up. */
  waitFor(match: LineMatch, options?: { from?: number; timeoutMs?: number }): Promise<string>;
  readonly exited: Promise<void>;
  readonly alive: boolean;
  /** SIGKILL, then waits until the process is gone. */
  kill(): Promise<void>;
  /** The end of what it wrote to stderr, for failure messages. */
  stderr(): string;
}

const live = new Set<ChildProcess>();
/** Children started since the last `childrenReport()`, for failure messages. */
const started: ChildHandle[] = [];

const matches = (match: LineMatch, line: string) =>
  typeof match === 'string' ? line === match : match instanceof RegExp ? match.test(line) : match(line);

async function spawnChild(kind: keyof typeof ENTRIES, name: string, config: object): Promise<ChildHandle> {
  const child = spawn(process.execPath, [await bundle(kind), JSON.stringify(config)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  let errors = '';
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
    for (const listener of [...listeners]) listener();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    errors = (errors + chunk).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => {
    child.on('exit', () => {
      live.delete(child);
      for (const listener of [...listeners]) listener();
      resolve();
    });
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const handle: ChildHandle = {
    name,
    child,
    lines,
    exited,
    get alive() {
      return !gone();
    },
    stderr: () => errors,
    waitFor(match, { from = 0, timeoutMs = 60_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.slice(from).find((line) => matches(match, line));
          if (found !== undefined) done(() => resolve(found));
          else if (gone()) done(() => reject(new Error(`${name} exited before printing ${String(match)}:\n${errors}`)));
        };
        const timer = setTimeout(
          () =>
            done(() =>
              reject(new Error(`${name} did not print ${String(match)}; it printed:\n${lines.join('\n')}\n${errors}`)),
            ),
          timeoutMs,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
    async kill() {
      if (!gone()) child.kill('SIGKILL');
      await exited;
    },
  };
  started.push(handle);
  return handle;
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
  const handle = await spawnChild('server', name, config);
  const ready = await handle.waitFor(/^ready /, { timeoutMs: 90_000 });
  return Object.assign(handle, { url: ready.slice('ready '.length) });
}

export interface ServiceProcess extends ChildHandle {
  /** The instance id the server gave it (or the one it re-attached with). */
  readonly instanceId: string;
}

export async function startServiceProcess(name: string, config: ServiceChildConfig): Promise<ServiceProcess> {
  const handle = await spawnChild('service', name, config);
  const ready = await handle.waitFor(/^ready /, { timeoutMs: 90_000 });
  return Object.assign(handle, { instanceId: ready.slice('ready '.length) });
}

/** SIGKILLs every child still alive (cleanup after a failed test). */
export async function killChildren(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
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
