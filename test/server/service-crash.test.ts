/**
 * A service process is SIGKILLed while it holds a task, before it applies the effect: the task goes to another
 * instance of the service, or — with none — waits for the killed one to come back under its persisted instance id.
 * Either way the orchestration completes and the effect happens once.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@baton/sdk';
import { describe, expect, it } from 'vitest';
import { type EffectLocation, type EffectLog, openEffectLog } from '../durable/effect-log.js';
import {
  ADMIN_TOKEN,
  cleanUpAfterEachTest,
  createProject,
  freePort,
  SECRET_KEY,
  type ServerProcess,
  startServerProcess,
  startServiceProcess,
  waitUntil,
} from './process-kit.js';
import type { ServiceChildConfig } from './service-child.js';

const cleanups = cleanUpAfterEachTest();

interface Setup {
  server: ServerProcess;
  apiKey: string;
  log: EffectLog;
  goDirectory: string;
  serviceConfig(label: string, instances: string): ServiceChildConfig;
}

/** A server child on a fresh SQLite file; `heartbeatMs` is also how long a dropped instance's tasks wait for it. */
async function setUp(heartbeatMs: number): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-service-crash-'));
  const goDirectory = join(dir, 'go');
  mkdirSync(goDirectory);
  const effects: EffectLocation = { kind: 'sqlite', path: join(dir, 'effects.db') };
  const log = await openEffectLog(effects);
  cleanups.push(async () => {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const server = await startServerProcess('server', {
    databaseUrl: join(dir, 'baton.db'),
    port: await freePort(),
    adminToken: ADMIN_TOKEN,
    secretKey: SECRET_KEY,
    heartbeatMs,
    serviceGraceMs: 120_000,
  });
  const apiKey = await createProject(server.url);
  return {
    server,
    apiKey,
    log,
    goDirectory,
    serviceConfig: (label, instances) => ({
      name: 'pay',
      label,
      urls: [server.url],
      apiKey,
      instanceDirectory: join(dir, instances),
      effects,
      goDirectory,
    }),
  };
}

const chargePlan = { steps: [{ id: 'charge', target: 'pay', input: { n: 1, holdFor: 'charge' } }] };

describe('a service instance killed mid-task', () => {
  it('hands the task to the other instance of the service, which applies the effect once', {
    timeout: 180_000,
  }, async () => {
    const { server, apiKey, log, goDirectory, serviceConfig } = await setUp(1000);
    const first = await startServiceProcess('pay-1', serviceConfig('pay-1', 'instances-1'));
    const second = await startServiceProcess('pay-2', serviceConfig('pay-2', 'instances-2'));
    expect(first.instanceId).not.toBe(second.instanceId);
    const client = createClient({ url: server.url, apiKey });
    const run = await client.orchestrate({ action: 'Charge once', plan: chargePlan });

    const holder = await waitUntil('an instance to hold the charge', () =>
      [first, second].find((service) => service.lines.includes('hold charge 1')),
    );
    const other = holder === first ? second : first;
    await holder.kill();
    await other.waitFor('hold charge 1', { timeoutMs: 90_000 });
    expect(await log.effects()).toEqual([]);
    writeFileSync(join(goDirectory, 'charge'), '');

    expect(await run.result()).toEqual({ charge: { step: 'charge', n: 1, by: other.name } });
    const effects = await log.effects();
    expect(effects.map((effect) => [effect.stepKey, effect.engine])).toEqual([['charge', other.name]]);
    const invocations = await log.invocations();
    expect(invocations.map((call) => [call.engine, call.applied, call.endedAt === null])).toEqual([
      [holder.name, false, true],
      [other.name, true, false],
    ]);
    expect(new Set(invocations.map((call) => call.key)).size).toBe(1);
  });

  it('keeps the task for the only instance, which restarts under its persisted instance id and applies it once', {
    timeout: 180_000,
  }, async () => {
    // A long heartbeat: the killed instance's task is kept for it to re-attach rather than queued again.
    const { server, apiKey, log, goDirectory, serviceConfig } = await setUp(20_000);
    const config = serviceConfig('pay', 'instances');
    const before = await startServiceProcess('pay', config);
    const client = createClient({ url: server.url, apiKey });
    const run = await client.orchestrate({ action: 'Charge once', plan: chargePlan });

    const [, , taskId] = (await before.waitFor(/^task charge /)).split(' ');
    await before.waitFor('hold charge 1');
    // The SDK saves the instance id without holding up registration: kill it only once the file has it.
    const saved = join(config.instanceDirectory, 'pay.json');
    await waitUntil(
      'the instance id to be saved',
      () => existsSync(saved) && readFileSync(saved, 'utf8').includes(before.instanceId),
    );
    await before.kill();
    const after = await startServiceProcess('pay (restarted)', config);
    expect(after.instanceId).toBe(before.instanceId);
    // The server sends the same task again: the new process knows nothing of it, so its handler runs.
    await after.waitFor(new RegExp(`^task charge ${taskId} `), { timeoutMs: 90_000 });
    await after.waitFor('hold charge 1');
    expect(await log.effects()).toEqual([]);
    writeFileSync(join(goDirectory, 'charge'), '');

    expect(await run.result()).toEqual({ charge: { step: 'charge', n: 1, by: 'pay' } });
    expect((await log.effects()).map((effect) => effect.stepKey)).toEqual(['charge']);
    const invocations = await log.invocations();
    expect(invocations.map((call) => [call.applied, call.endedAt === null])).toEqual([
      [false, true],
      [true, false],
    ]);
    expect(new Set(invocations.map((call) => call.key)).size).toBe(1);
  });
});
