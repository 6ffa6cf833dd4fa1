/**
 * Bench child: BullMQ workers on the machine's Redis. `echo` queues return the job's data; `join` queues return
 * their children's values (a flow's parent). Argument: `{ redis: { host, port }, queues: { name, kind }[],
 * concurrency }`.
 */
import { type Job, Worker } from 'bullmq';
import { childArgs, sendToParent, serveParent } from './child-ipc.js';

interface Args {
  redis: { host: string; port: number };
  queues: { name: string; kind: 'echo' | 'join' }[];
  concurrency: number;
}

const { redis, queues, concurrency } = childArgs<Args>();
const processors = {
  echo: async (job: Job) => job.data,
  join: async (job: Job) => job.getChildrenValues(),
};
const workers = queues.map(
  (queue) => new Worker(queue.name, processors[queue.kind], { connection: redis, concurrency }),
);
for (const worker of workers) await worker.waitUntilReady();
serveParent(async () => {
  for (const worker of workers) await worker.close();
});
sendToParent({ type: 'ready' });
