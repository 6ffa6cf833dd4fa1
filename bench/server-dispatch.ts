/**
 * server/dispatch-p50 and server/dispatch-p99: one task from the server's engine to an SDK service over the socket,
 * its result journaled (SQLite store), timed from `server.engine.run(plan)` (compiled once) to `result()`. The server runs in a child
 * process of its own (`children/baton-server.ts`), which times each sample itself when the bench asks for one, and the
 * service in another child. Peer: BullMQ on the machine's Redis, `Queue.add` → a `Worker` in a child process →
 * `job.waitUntilFinished(queueEvents)`. Floor: a raw `ws` message to an echo server in a child and back.
 *
 * Samples of the three are interleaved, one of each in rotating order, so load drift hits all alike. Each side's
 * servers are processes of their own — Redis for BullMQ, the Baton server for Baton — so one side's client work never
 * runs inside, and cools the caches of, the other side's server.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import WebSocket from 'ws';
import { percentile, progress, report } from './measure.js';
import { cpuMs, startChild, startServerChild } from './server-children.js';

export const REDIS = { host: '127.0.0.1', port: 6379 };

const require = createRequire(import.meta.url);
export const BULLMQ = `bullmq@${(JSON.parse(readFileSync(require.resolve('bullmq/package.json'), 'utf8')) as { version: string }).version}`;

export const newAdminToken = () => `badm_${randomBytes(32).toString('base64url')}`;

/** One sample: its latency in ms. */

type Timed = () => Promise<number>;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function wsRoundTrip(port: number): Promise<{ run: Timed; close: () => void }> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const payload = JSON.stringify({ type: 'task', input: { value: 'ping' } });
  return {
    run: () => timed(() => new Promise((resolve) => socket.once('message', resolve).send(payload))),
    close: () => socket.close(),
  };
}

export async function runDispatchCase(options: { warmup: number; samples: number }): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-dispatch-'));
  const queueName = `baton-bench-dispatch-${randomBytes(4).toString('hex')}`;
  const closers: (() => Promise<unknown> | unknown)[] = [];
  try {
    const server = await startServerChild({ databaseUrl: join(dir, 'baton.db'), adminToken: newAdminToken() });
    closers.push(() => server.stop());
    const { url, apiKey } = server.ready;
    const service = await startChild('echo-services.ts', { url, apiKey, services: ['echo'] });
    closers.push(() => service.stop());
    const input = { value: 'ping' };
    const dispatch = () => server.ask({ type: 'dispatch', service: 'echo', input }, 'dispatched');
    const checked = (await dispatch()).output;
    if (JSON.stringify(checked) !== JSON.stringify({ a: input })) {
      throw new Error(`Baton dispatch answered ${JSON.stringify(checked)}`);
    }
    const baton: Timed = async () => (await dispatch()).ms as number;

    const worker = await startChild('bullmq-workers.ts', {
      redis: REDIS,
      queues: [{ name: queueName, kind: 'echo' }],
      concurrency: 1,
    });
    closers.push(() => worker.stop());
    const queue = new Queue(queueName, { connection: REDIS });
    const events = new QueueEvents(queueName, { connection: REDIS });
    closers.push(async () => {
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
    });
    await events.waitUntilReady();
    const bullmq: Timed = () => timed(async () => (await queue.add('echo', input)).waitUntilFinished(events));

    const echo = await startChild<{ type: 'ready'; port: number }>('ws-echo.ts', {});
    closers.push(() => echo.stop());
    const floor = await wsRoundTrip(echo.ready.port);
    closers.push(() => floor.close());

    progress(
      `server/dispatch: Baton engine → SDK service (child process, SQLite) vs ${BULLMQ} Queue.add → Worker (child) → waitUntilFinished vs raw ws echo, ${options.samples} samples each`,
    );
    const runners = [baton, bullmq, floor.run];
    for (let i = 0; i < options.warmup; i++) for (const run of runners) await run();
    const samples: number[][] = runners.map(() => []);
    // CPU time, which the machine's other load does not inflate the way it does latency: each side's processes over
    // the whole measurement — Baton's server and service; this process's BullMQ client (the bench process's share per
    // side) and worker (Redis not counted); this process's ws client and the echo server.
    const ownCpuUs = runners.map(() => 0);
    const children = [[server, service], [worker], [echo]];
    const childCpu = () => children.map((side) => side.reduce((sum, child) => sum + cpuMs(child.pid), 0));
    const childCpuBefore = childCpu();
    for (let i = 0; i < options.samples; i++) {
      for (let k = 0; k < runners.length; k++) {
        const at = (i + k) % runners.length;
        const cpu = process.cpuUsage();
        samples[at]?.push(await runners[at]!());
        const used = process.cpuUsage(cpu);
        ownCpuUs[at] = (ownCpuUs[at] ?? 0) + used.user + used.system;
      }
    }
    const childCpuAfter = childCpu();
    const cpuPerSample = children.map((_, at) => {
      const own = at === 0 ? 0 : (ownCpuUs[at] ?? 0) / 1000 / options.samples;
      const theirs = ((childCpuAfter[at] ?? 0) - (childCpuBefore[at] ?? 0)) / options.samples;
      return (own + theirs).toFixed(2);
    });
    progress(
      `server/dispatch: CPU ms per round trip: Baton ${cpuPerSample[0]} (server + service), BullMQ ${cpuPerSample[1]} (client + worker; Redis not counted), ws ${cpuPerSample[2]} (client + echo); load average ${loadavg()[0]?.toFixed(1)}`,
    );
    const [batonMs = [], bullmqMs = [], floorMs = []] = samples;
    for (const p of [50, 99]) {
      const name = `server/dispatch-p${p}`;
      const figures = { baton: percentile(batonMs, p), peer: percentile(bullmqMs, p), floor: percentile(floorMs, p) };
      progress(
        `${name}: Baton ${figures.baton.toFixed(3)} ms, ${BULLMQ} ${figures.peer.toFixed(3)} ms, ws floor ${figures.floor.toFixed(3)} ms (target: Baton p50 ≤ 1.5 ms and ≤ BullMQ)`,
      );
      report({
        case: name,
        unit: 'ms',
        baton: figures.baton,
        peer: figures.peer,
        peerName: BULLMQ,
        floor: figures.floor,
        better: 'lower',
        n: batonMs.length,
      });
    }
  } finally {
    for (const close of closers.reverse()) {
      await Promise.resolve()
        .then(close)
        .catch((error) => progress(`server/dispatch cleanup: ${String(error)}`));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
