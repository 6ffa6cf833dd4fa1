/**
 * The child process of `sub-calls-crash.test.ts`: a durable engine on a SQLite file whose one step (`three-calls`)
 * makes three sub-calls of `tool`. Every call of `tool` appends a line to the invocations file before it answers, so
 * what a killed process did survives it. It prints `after <n>` once sub-call n returned to the handler (journaled:
 * `tool` has effects), holds after sub-call `holdAfter` until it is killed, and prints `finished <output JSON>` when a
 * run finishes.
 */
import { appendFileSync } from 'node:fs';
import { createEngine, createRegistry, openStore } from '@baton/core';

interface SubCallWorkerConfig {
  storeUrl: string;
  invocations: string;
  engineId: string;
  /** Starts this run (the plan below) once the engine is up. */
  runId?: string;
  /** Never returns after this sub-call: the test kills the process there. */
  holdAfter?: number;
}

const config = JSON.parse(process.argv[2] ?? '') as SubCallWorkerConfig;
const say = (line: string) => process.stdout.write(`${line}\n`);

const store = await openStore({ url: config.storeUrl, pollIntervalMs: 10 });
const registry = createRegistry();
registry.register({
  name: 'tool',
  description: 'Appends each call to the invocations file',
  handler: (input: { n: number }, ctx) => {
    appendFileSync(config.invocations, `${input.n} ${ctx.idempotencyKey}\n`);
    return { n: input.n + 1 };
  },
});
registry.register({
  name: 'three-calls',
  description: 'Three sub-calls in a row',
  handler: async (input: { n: number }, ctx) => {
    let n = input.n;
    for (let call = 1; call <= 3; call++) {
      n = (await ctx.call<{ n: number }>('tool', { n })).n;
      say(`after ${call}`);
      if (call === config.holdAfter) await new Promise(() => {});
    }
    return { n };
  },
});
const engine = createEngine({
  registry,
  store,
  engineId: config.engineId,
  leaseMs: 1000,
  onError: (error) => console.error(error),
  onEvent: (event) => {
    if (event.type === 'run-finish') say(`finished ${JSON.stringify(event.output)}`);
  },
});
await engine.start();
if (config.runId !== undefined) {
  const plan = { steps: [{ id: 'agent', target: 'three-calls', input: { n: 1 } }] };
  engine
    .run(plan, {}, { runId: config.runId })
    .result()
    .catch((error) => console.error(error));
}
say('ready');
