/**
 * An SDK service in its own process, for the process tests. Its handler is a payment-like call: it logs every
 * invocation in the effect log and writes the effect once per idempotency key. A step whose input names `holdFor`
 * waits, between logging its start and applying its effect, until the file `<goDirectory>/<holdFor>` exists, so a
 * test can kill things mid-task. It prints what it does, one line each, for the test to wait on:
 * `ready <instanceId>`, `open <url>`, `close <url>`, `received <taskId> <idempotencyKey>` (every task that reaches
 * it, a repeat answered without the handler included), `task <stepId> <taskId> <n> <idempotencyKey>` (the handler
 * runs), `hold <stepId> <n>`, `applied <stepId> <n> <true|false>`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createService, fileInstanceStore } from '@baton/sdk';
import { type EffectLocation, openEffectLog } from '../durable/effect-log.js';

export interface ServiceChildConfig {
  name: string;
  /** This process's name in the effect log. */
  label: string;
  urls: string[];
  apiKey: string;
  /** Where the instance id is kept: the same directory gives a restarted process the same instance id. */
  instanceDirectory: string;
  effects: EffectLocation;
  goDirectory: string;
  maxConcurrency?: number;
}

export interface StepInput {
  /** Tells the tasks of one test apart in lines and the effect log. */
  n?: number;
  /** Wait for `<goDirectory>/<holdFor>` before applying the effect. */
  holdFor?: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ServiceChildConfig;
const log = await openEffectLog(config.effects);
const print = (line: string) => process.stdout.write(`${line}\n`);

async function untilExists(path: string): Promise<void> {
  while (!existsSync(path)) await new Promise((resolve) => setTimeout(resolve, 20));
}

const service = createService({
  name: config.name,
  description: 'Charges once per idempotency key (a process-test fixture)',
  maxConcurrency: config.maxConcurrency ?? 64,
  instanceStore: fileInstanceStore({ directory: config.instanceDirectory }),
  reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
  onEvent: (event) => {
    if (event.type === 'connection-open') print(`open ${event.url}`);
    if (event.type === 'connection-close') print(`close ${event.url}`);
    if (event.type === 'task-start') print(`received ${event.taskId} ${event.idempotencyKey}`);
  },
  handler: async (raw, ctx) => {
    const input = (raw ?? {}) as StepInput;
    const n = input.n ?? 0;
    print(`task ${ctx.stepId} ${ctx.taskId} ${n} ${ctx.idempotencyKey}`);
    const call = { runId: ctx.orchestrationId, stepKey: ctx.stepId, key: ctx.idempotencyKey, engine: config.label };
    const invocation = await log.begin(call);
    if (input.holdFor !== undefined) {
      print(`hold ${ctx.stepId} ${n}`);
      await untilExists(join(config.goDirectory, input.holdFor));
    }
    const applied = await log.apply(invocation, call);
    await log.end(invocation);
    print(`applied ${ctx.stepId} ${n} ${applied}`);
    return { step: ctx.stepId, n, by: config.label };
  },
});
await service.start({ urls: config.urls, apiKey: config.apiKey });
print(`ready ${service.instanceId}`);
