/**
 * What a bench cut short would leave behind: the Redis servers it started (`durable-redis.ts` stops them when this
 * process exits, which Ctrl-C, a `kill` and a closed stdout — `npm run bench | head -1` — now make it do) and the
 * BullMQ queues of its peers on the machine's Redis, under `bull:baton-bench-…` (removed before the server cases run;
 * each run names its queues afresh, so none of them is ever used again).
 */
import { Redis } from 'ioredis';

/** Makes Ctrl-C, `kill` and a closed stdout end the process through `exit`, whose handlers stop what it started. */
export function exitOnInterrupt(): void {
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
  });
}

/** Deletes the keys of earlier benches' BullMQ queues; resolves with how many there were. */
export async function removeLeftoverQueues(connection: { host: string; port: number }): Promise<number> {
  const redis = new Redis({ ...connection, lazyConnect: true, maxRetriesPerRequest: 1 });
  let removed = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', 'bull:baton-bench-*', 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) removed += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return removed;
}
