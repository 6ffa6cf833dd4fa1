/**
 * The child process of the durable process tests: one durable engine on a real store, with the side-effect service
 * of `durable-fixture.ts`. `worker-process.ts` starts it from an esbuild bundle of this file, with the
 * `<WorkerConfig JSON>` as its argument.
 * It prints `ready` once its engine claims work, `call` at its first target call, `step-finish` once its first step
 * is journaled and `compensation` when it first starts undoing a step (so a test can kill it at each of those
 * moments), starts the runs its config lists, and stays up until SIGTERM (a clean close) or, with `exitWhenDone`,
 * until no run in the store is unfinished.
 */
import { createEngine, createRegistry, openStore, type StoredRunStatus } from '@baton/core';
import { plans, registerTargets, type WorkerConfig } from './durable-fixture.js';
import { openEffectLog } from './effect-log.js';

const config = JSON.parse(process.argv[2] ?? '') as WorkerConfig;
const say = (line: string) => process.stdout.write(`${line}\n`);
const said = new Set<string>();
const sayOnce = (line: string) => {
  if (!said.has(line)) say(line);
  said.add(line);
};
const UNFINISHED: StoredRunStatus[] = ['ready', 'running', 'waiting', 'compensating'];

const store = await openStore({
  url: config.storeUrl,
  ...(config.schema === undefined ? {} : { schema: config.schema, poolSize: 4 }),
  pollIntervalMs: 10,
});
const effects = await openEffectLog(config.effects);
const registry = createRegistry();
registerTargets(registry, {
  effects,
  engineId: config.engineId,
  stepMs: config.stepMs,
  ...(config.holdFile === undefined ? {} : { holdFile: config.holdFile }),
  onCall: () => sayOnce('call'),
});
const engine = createEngine({
  registry,
  store,
  ...(config.defaultEngineId ? {} : { engineId: config.engineId }),
  leaseMs: config.leaseMs,
  parkAfterMs: config.parkAfterMs ?? 1000,
  maxActiveRuns: config.maxActiveRuns ?? 64,
  onError: (error) => console.error(`[${config.engineId}]`, error),
  onEvent: (event) => {
    // Journaled before it is announced: a kill now falls between a journal write and the next step.
    if (event.type === 'step-finish') sayOnce('step-finish');
    if (event.type === 'compensation-start') sayOnce('compensation');
  },
});

let stopping: Promise<void> | undefined;
function stop(code: number): Promise<void> {
  stopping ??= (async () => {
    await engine.close();
    await store.close();
    await effects.close();
    process.exit(code);
  })();
  return stopping;
}
process.on('SIGTERM', () => void stop(0));

await engine.start();
for (const run of config.runs ?? []) {
  const handle = engine.run(plans[run.plan], run.request, { runId: run.runId, deadline: run.deadlineMs });
  handle.result().catch((error) => console.error(`[${config.engineId}] run ${run.runId} failed:`, error));
}
say('ready');

if (config.exitWhenDone) {
  while ((await store.listRuns({ status: UNFINISHED, limit: 1 })).length > 0) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop(0);
}
