/**
 * server/orchestrations-per-s-sqlite and -postgres: a 3-step plan (`left` and `right` in parallel, then `join` of
 * both outputs) over three SDK services, submitted over HTTP with 32 in flight. The server runs in a child process
 * (`children/baton-server.ts`), the three services in another; this process is only the load: the SDK client's
 * `run` (one `POST /v1/orchestrations?waitMs=…` the server holds until the end; `BATON_BENCH_TWO_REQUESTS=1` measures
 * `orchestrate` then `result()` instead: the 202, then a `GET …/:id?waitMs=` held until the end). Peer: the same shape as a BullMQ flow (`FlowProducer`, two children and a parent that reads their values),
 * the three workers in one child process at concurrency 64 (the SDK service's default), 32 flows in flight, completion
 * by `job.waitUntilFinished(queueEvents)`. Each side first runs a warm-up (a long-running server is measured warm, its
 * code compiled by the JIT: after 1,000 orchestrations Baton's first round still ran a third slower than its later
 * ones, BullMQ's did not, so SQLite's warm-up is 3,000), then rounds of each side alternate; the figure is the median
 * round.
 * PostgreSQL runs on a database this bench creates and drops.
 * The machine's Redis keeps nothing on disk; a second peer runs BullMQ on a Redis of the bench's own that logs every
 * write before answering (`durable-redis.ts`) with the durability of the store beside it — `appendfsync no` against
 * SQLite (WAL, `synchronous = NORMAL`: safe when the process is killed), `always` against PostgreSQL (`synchronous_commit
 * = on`: safe when the machine stops) — reported as `…-vs-redis-aof-os` and `…-vs-redis-aof-fsync`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@baton/sdk';
import { FlowProducer, Queue, QueueEvents } from 'bullmq';
import pg from 'pg';
import { startDurableRedis } from './durable-redis.js';
import { median, progress, report } from './measure.js';
import { type BenchChild, cpuMs, startChild, startServerChild } from './server-children.js';
import { BULLMQ, newAdminToken, REDIS } from './server-dispatch.js';

const PG_URL = process.env.BATON_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const IN_FLIGHT = 32;
const STUCK_AFTER_MS = 60_000;
const BATON_TWO_REQUESTS = process.env.BATON_BENCH_TWO_REQUESTS === '1';

interface ThroughputOptions {
  warmup: number;
  /** Orchestrations (or flows) per round, at most. */
  count: number;
  /** A round stops taking new work after this long, so a slow side cannot hold the bench past its time limit. */
  maxRoundMs: number;
  rounds: number;
}

interface Side {
  one(i: number): Promise<unknown>;
  /** The child processes doing this side's work, by role, whose CPU time is reported per orchestration. */
  processes: Record<string, number>;
  close(): Promise<void>;
}

/**
 * Runs up to `count` calls of `side.one`, `IN_FLIGHT` at a time, starting none after `maxMs`; resolves with calls per
 * second, how many completed, and the CPU time each process (this one as `load`) spent per call, which other load on
 * the machine inflates far less than it does the rate.
 */
async function pump(
  count: number,
  maxMs: number,
  side: Side,
): Promise<{ rate: number; completed: number; cpuMsPerCall: string }> {
  let next = 0;
  let completed = 0;
  const cpuBefore = Object.entries(side.processes).map(([role, pid]) => [role, pid, cpuMs(pid)] as const);
  const loadBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  const elapsedMs = () => Number(process.hrtime.bigint() - start) / 1e6;
  const lane = async () => {
    while (next < count && elapsedMs() < maxMs) {
      await side.one(next++);
      completed++;
    }
  };
  // A side that stops answering (a peer's server gone, a lost completion) fails the case instead of holding the bench.
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`${completed} of ${next} calls answered ${STUCK_AFTER_MS / 1000} s after the round's end`)),
      maxMs + STUCK_AFTER_MS,
    );
  });
  try {
    await Promise.race([Promise.all(Array.from({ length: IN_FLIGHT }, lane)), stuck]);
  } finally {
    clearTimeout(timer);
  }
  const rate = completed / (elapsedMs() / 1000);
  const load = process.cpuUsage(loadBefore);
  const perCall = cpuBefore.map(([role, pid, before]) => `${role} ${((cpuMs(pid) - before) / completed).toFixed(2)}`);
  perCall.push(`load ${((load.user + load.system) / 1000 / completed).toFixed(2)}`);
  return { rate, completed, cpuMsPerCall: perCall.join(', ') };
}

async function batonSide(databaseUrl: string, secretKey?: string): Promise<Side> {
  const children: BenchChild[] = [];
  const server = await startServerChild({
    databaseUrl,
    adminToken: newAdminToken(),
    ...(secretKey === undefined ? {} : { secretKey }),
  });
  children.push(server);
  const { url, apiKey } = server.ready;
  const services = await startChild('echo-services.ts', { url, apiKey, services: ['left', 'right', 'join'] });
  children.push(services);
  const client = createClient({ url, apiKey });
  const plan = {
    steps: [
      { id: 'left', target: 'left', input: { x: { $ref: 'request.data.x' } } },
      { id: 'right', target: 'right', input: { x: { $ref: 'request.data.x' } } },
      {
        id: 'join',
        target: 'join',
        input: { left: { $ref: 'steps.left.output' }, right: { $ref: 'steps.right.output' } },
      },
    ],
  };
  const one = BATON_TWO_REQUESTS
    ? async (i: number) => (await client.orchestrate({ action: 'bench', data: { x: i }, plan })).result()
    : (i: number) => client.run({ action: 'bench', data: { x: i }, plan });
  const checked = await one(7);
  if (JSON.stringify(checked) !== JSON.stringify({ join: { left: { x: 7 }, right: { x: 7 } } })) {
    throw new Error(`Baton orchestration answered ${JSON.stringify(checked)}`);
  }
  return {
    one,
    processes: { server: server.pid, services: services.pid },
    close: async () => {
      for (const child of children.reverse()) await child.stop();
    },
  };
}

async function bullmqSide(redis: { host: string; port: number }): Promise<Side> {
  const prefix = `baton-bench-flow-${randomBytes(4).toString('hex')}`;
  const names = { left: `${prefix}-left`, right: `${prefix}-right`, join: `${prefix}-join` };
  const workers = await startChild('bullmq-workers.ts', {
    redis: redis,
    queues: [
      { name: names.left, kind: 'echo' },
      { name: names.right, kind: 'echo' },
      { name: names.join, kind: 'join' },
    ],
    concurrency: 64,
  });
  const flows = new FlowProducer({ connection: redis });
  // Each in-flight add listens for the producer closing.
  flows.setMaxListeners(IN_FLIGHT * 2);
  const events = new QueueEvents(names.join, { connection: redis });
  await events.waitUntilReady();
  const one = async (i: number) => {
    const { job } = await flows.add({
      name: 'join',
      queueName: names.join,
      children: [
        { name: 'left', queueName: names.left, data: { x: i } },
        { name: 'right', queueName: names.right, data: { x: i } },
      ],
    });
    return job.waitUntilFinished(events);
  };
  const checked = (await one(7)) as Record<string, unknown>;
  if (Object.keys(checked).length !== 2) throw new Error(`BullMQ flow answered ${JSON.stringify(checked)}`);
  return {
    one,
    processes: { workers: workers.pid },
    close: async () => {
      await workers.stop();
      await events.close();
      await flows.close();
      for (const name of Object.values(names)) {
        const queue = new Queue(name, { connection: redis });
        await queue.obliterate({ force: true });
        await queue.close();
      }
    },
  };
}

interface Peer {
  side: Side;
  /** What the JSON line calls it, and the case name's suffix (none for the machine's Redis). */
  name: string;
  suffix: string;
  rates: number[];
}

/**
 * BullMQ on the machine's Redis (which keeps nothing on disk) and, when `durable` is given, on a Redis of the bench's
 * own that logs every write before answering, with the durability of the Baton store measured beside it.
 */
async function peers(durable: 'no' | 'always'): Promise<{ peers: Peer[]; close(): Promise<void> }> {
  const list: Peer[] = [{ side: await bullmqSide(REDIS), name: BULLMQ, suffix: '', rates: [] }];
  const redis = await startDurableRedis(durable);
  if (redis !== undefined) {
    list.push({
      side: await bullmqSide(redis.connection),
      name: `${BULLMQ} on Redis with appendonly yes, appendfsync ${durable}`,
      suffix: `-vs-redis-aof-${durable === 'always' ? 'fsync' : 'os'}`,
      rates: [],
    });
  }
  return {
    peers: list,
    close: async () => {
      for (const peer of list) await peer.side.close();
      await redis?.stop();
    },
  };
}

async function compare(
  name: string,
  storeName: string,
  baton: Side,
  options: ThroughputOptions,
  durable: 'no' | 'always',
): Promise<void> {
  const { peers: sides, close } = await peers(durable);
  try {
    progress(
      `${name}: Baton server (${storeName}, child process) + 3 SDK services (child) via createClient ${BATON_TWO_REQUESTS ? 'orchestrate → result() (two requests)' : 'run (one held request)'} vs ${sides.map((peer) => peer.name).join(' and ')}: FlowProducer (2 children + parent, workers in a child), ${IN_FLIGHT} in flight, ${options.rounds} rounds of ${options.count} (or ${options.maxRoundMs / 1000} s)`,
    );
    await pump(options.warmup, options.maxRoundMs, baton);
    for (const peer of sides) await pump(options.warmup, options.maxRoundMs, peer.side);
    const batonRates: number[] = [];
    let completed = 0;
    for (let round = 0; round < options.rounds; round++) {
      const batonRound = await pump(options.count, options.maxRoundMs, baton);
      completed += batonRound.completed;
      batonRates.push(batonRound.rate);
      const peerRounds: string[] = [];
      for (const peer of sides) {
        const peerRound = await pump(options.count, options.maxRoundMs, peer.side);
        peer.rates.push(peerRound.rate);
        peerRounds.push(
          `BullMQ${peer.suffix === '' ? '' : ` (AOF, fsync ${durable})`} ${peerRound.rate.toFixed(0)}/s (CPU ms per flow: ${peerRound.cpuMsPerCall}, Redis not counted)`,
        );
      }
      progress(
        `  round ${round + 1}: Baton ${batonRound.rate.toFixed(0)}/s over ${batonRound.completed} (CPU ms per orchestration: ${batonRound.cpuMsPerCall}), ${peerRounds.join(', ')}; load average ${loadavg()[0]?.toFixed(1)}`,
      );
    }
    const batonRate = median(batonRates);
    progress(
      `${name}: Baton ${batonRate.toFixed(0)} orchestrations/s, ${sides.map((peer) => `${peer.name} ${median(peer.rates).toFixed(0)} flows/s`).join(', ')} (target: ≥ 500/s on SQLite and ≥ BullMQ)`,
    );
    for (const peer of sides) {
      report({
        case: `${name}${peer.suffix}`,
        unit: 'ops/s',
        baton: batonRate,
        peer: median(peer.rates),
        peerName: peer.name,
        better: 'higher',
        n: completed,
      });
    }
  } finally {
    await close();
  }
}

export async function runSqliteThroughputCase(options: ThroughputOptions): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-throughput-'));
  try {
    const baton = await batonSide(join(dir, 'baton.db'));
    try {
      await compare('server/orchestrations-per-s-sqlite', 'SQLite', baton, options, 'no');
    } finally {
      await baton.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runPostgresThroughputCase(options: ThroughputOptions): Promise<void> {
  const database = `baton_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(PG_URL);
    url.pathname = `/${database}`;
    const baton = await batonSide(url.toString(), randomBytes(32).toString('hex'));
    try {
      await compare('server/orchestrations-per-s-postgres', 'PostgreSQL', baton, options, 'always');
    } finally {
      await baton.close();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch((error) => progress(String(error)));
    await admin.end();
  }
}
