/**
 * server/memory-per-idle-connection: a Baton server in its own process (`children/baton-server.ts`, SQLite, run with
 * --expose-gc), its RSS (VmRSS from /proc/<pid>/status, after forced collections) before and after 1,000 raw `ws`
 * sockets from this process have connected and registered (`hello` for one service name, `welcome` received) and sit
 * idle. No peer: the figure is KB of server RSS per connection, against its target.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { progress, report } from './measure.js';
import { type BenchChild, residentKb, type ServerReady, startServerChild } from './server-children.js';
import { newAdminToken } from './server-dispatch.js';

const TARGET_KB = 50;

/** Opens a socket and registers one instance of service `name`; resolves once the server has welcomed it. */
async function registerIdle(url: string, apiKey: string, name: string, n: number): Promise<WebSocket> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/ws`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const hello = {
    id: `hello-${n}`,
    type: 'hello',
    protocol: 1,
    service: { name, description: 'Idle', input: { type: 'object' }, output: { type: 'object' } },
  };
  const answer = new Promise<Record<string, unknown>>((resolve) =>
    socket.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>)),
  );
  socket.send(JSON.stringify(hello));
  const message = await answer;
  if (message.type !== 'welcome') throw new Error(`socket ${n} got ${JSON.stringify(message)} instead of welcome`);
  return socket;
}

/** RSS after forced collections, repeated until two readings agree within 256 KB (V8 gives pages back lazily). */
async function settledKb(server: BenchChild): Promise<{ rss: number; heapUsed: number }> {
  let previous = Number.POSITIVE_INFINITY;
  for (let attempt = 0; ; attempt++) {
    const answer = await server.ask({ type: 'settle' }, 'settled');
    const rss = residentKb(server.pid);
    if (Math.abs(rss - previous) < 256 || attempt === 8) return { rss, heapUsed: Number(answer.heapUsed) / 1024 };
    previous = rss;
  }
}

export async function runMemoryCase(options: { connections: number; batch: number }): Promise<void> {
  const name = 'server/memory-per-idle-connection';
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-memory-'));
  const sockets: WebSocket[] = [];
  let server: BenchChild<ServerReady> | undefined;
  try {
    server = await startServerChild({ databaseUrl: join(dir, 'baton.db'), adminToken: newAdminToken() }, [
      '--expose-gc',
    ]);
    const { url, apiKey } = server.ready;
    // One connection first, so code paths loaded on first use are in the baseline, not charged to connections.
    const first = await registerIdle(url, apiKey, 'idle', 0);
    first.close();
    const before = await settledKb(server);
    for (let n = 0; n < options.connections; n += options.batch) {
      const batch = Array.from({ length: Math.min(options.batch, options.connections - n) }, (_, k) =>
        registerIdle(url, apiKey, 'idle', n + k + 1),
      );
      sockets.push(...(await Promise.all(batch)));
    }
    const after = await settledKb(server);
    const listed = (await (
      await fetch(`${url}/v1/services`, { headers: { authorization: `Bearer ${apiKey}` } })
    ).json()) as { items: { name: string; instances: unknown[] }[] };
    const instances = listed.items.find((service) => service.name === 'idle')?.instances.length;
    if (instances !== options.connections) {
      throw new Error(`the server lists ${instances} instances of the idle service, not ${options.connections}`);
    }
    const perConnection = (after.rss - before.rss) / options.connections;
    const heapPerConnection = (after.heapUsed - before.heapUsed) / options.connections;
    progress(
      `${name}: server RSS ${before.rss} KB → ${after.rss} KB with ${options.connections} idle registered sockets: ${perConnection.toFixed(1)} KB each (JS heap: ${heapPerConnection.toFixed(1)} KB each; target ≤ ${TARGET_KB} KB)`,
    );
    report({
      case: name,
      unit: 'KB',
      baton: perConnection,
      target: TARGET_KB,
      better: 'lower',
      n: options.connections,
    });
  } finally {
    for (const socket of sockets) socket.terminate();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
