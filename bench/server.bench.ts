/**
 * server/*: Baton's plan-engine server end to end, against BullMQ on the machine's Redis for the same work. Services
 * and workers run in child processes (`bench/children/`), so they never share the measured side's event loop.
 * - `server/dispatch-p50`, `server/dispatch-p99`: one task engine → socket → SDK service → journaled result
 *   (`server-dispatch.ts`).
 * - `server/orchestrations-per-s-sqlite`, `-postgres`: 3-step plans over HTTP, 32 in flight (`server-throughput.ts`).
 * - `server/memory-per-idle-connection`: the server's RSS per idle registered socket (`server-memory.ts`).
 * `--filter server/dispatch` (any prefix of a case name) runs only the matching cases.
 */
import { removeLeftoverQueues } from './bench-leftovers.js';
import { progress } from './measure.js';
import { REDIS, runDispatchCase } from './server-dispatch.js';
import { runMemoryCase } from './server-memory.js';
import { runPostgresThroughputCase, runSqliteThroughputCase } from './server-throughput.js';

const cases: Record<string, () => Promise<void>> = {
  'server/dispatch': () => runDispatchCase({ warmup: 300, samples: 2000 }),
  'server/orchestrations-per-s-sqlite': () =>
    runSqliteThroughputCase({ warmup: 3000, count: 2000, maxRoundMs: 5000, rounds: 3 }),
  'server/orchestrations-per-s-postgres': () =>
    runPostgresThroughputCase({ warmup: 500, count: 2000, maxRoundMs: 5000, rounds: 3 }),
  'server/memory-per-idle-connection': () => runMemoryCase({ connections: 1000, batch: 50 }),
};

export async function runServerBench(filter?: string): Promise<void> {
  const narrowed = filter?.startsWith('server/') ? filter : undefined;
  const removed = await removeLeftoverQueues(REDIS).catch((error: unknown) => {
    progress(`server: could not look for earlier benches' BullMQ queues on Redis: ${String(error)}`);
    return 0;
  });
  if (removed > 0) progress(`server: removed ${removed} keys of earlier benches' BullMQ queues from Redis`);
  for (const [name, run] of Object.entries(cases)) {
    if (narrowed && !name.startsWith(narrowed) && !narrowed.startsWith(name)) continue;
    await run();
  }
}
