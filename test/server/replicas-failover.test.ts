/**
 * Two server replicas on one PostgreSQL database, the services connected to one and the orchestrations submitted to
 * the other, so every task crosses replicas through `baton_server_tasks`. The first replica is SIGKILLed while the
 * services hold some of those tasks. When it held the services, they reconnect to the second, which takes the dead
 * replica's tasks over once their lease runs out; when it held the runs, the second takes the runs over once their
 * leases run out and sends the held steps again. Either way every orchestration completes, each effect applied once.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@baton/sdk';
import { describe, expect, it } from 'vitest';
import { createPostgresTestDatabase, postgresReachable } from '../../packages/server/src/postgres-test-kit.js';
import { type EffectLocation, openEffectLog } from '../durable/effect-log.js';
import {
  cleanUpAfterEachTest,
  createProject,
  restartableServer,
  type ServiceProcess,
  startServerProcess,
  startServiceProcess,
  waitUntil,
} from './process-kit.js';

const cleanups = cleanUpAfterEachTest();

const ORCHESTRATIONS = 10;
/** Charges after this one hold until the first replica is gone. */
const BEFORE_KILL = 4;

interface Scenario {
  /** Which replica the services connect to (and the other takes the orchestrations). */
  servicesOn: 'first' | 'second';
}

async function failover({ servicesOn }: Scenario): Promise<void> {
  {
    const database = await createPostgresTestDatabase('baton_failover');
    const databaseUrl = database.url;
    const dir = mkdtempSync(join(tmpdir(), 'baton-failover-'));
    cleanups.push(async () => {
      rmSync(dir, { recursive: true, force: true });
      await database.drop();
    });
    const goDirectory = join(dir, 'go');
    mkdirSync(goDirectory);
    const effects: EffectLocation = { kind: 'postgres', url: databaseUrl, schema: 'public' };
    const log = await openEffectLog(effects);
    cleanups.push(() => log.close());

    const replica = (name: string) => restartableServer(databaseUrl, name);
    // One after the other: the first creates the server's tables.
    const first = await startServerProcess('replica-1', await replica('replica-1'));
    const second = await startServerProcess('replica-2', await replica('replica-2'));
    const apiKey = await createProject(first.url);
    const services: ServiceProcess[] = [];
    const [home, submitted] = servicesOn === 'first' ? [first, second] : [second, first];
    for (const label of ['pay-1', 'pay-2']) {
      const service = await startServiceProcess(label, {
        name: 'pay',
        label,
        urls: servicesOn === 'first' ? [first.url, second.url] : [second.url],
        apiKey,
        instanceDirectory: join(dir, label),
        effects,
        goDirectory,
      });
      expect(service.lines).toContain(`open ${home.url}`);
      services.push(service);
    }

    const client = createClient({ url: submitted.url, apiKey });
    // What is read after the kill is read from the survivor.
    const survivor = createClient({ url: second.url, apiKey });
    const runs = [];
    for (let n = 1; n <= ORCHESTRATIONS; n++) {
      const charge = n > BEFORE_KILL ? { n, holdFor: 'after-kill' } : { n };
      runs.push(
        await client.orchestrate({
          action: `Charge ${n} and send its receipt`,
          plan: {
            steps: [
              { id: 'charge', target: 'pay', input: charge },
              { id: 'receipt', target: 'pay', input: { n, charge: { $ref: 'steps.charge.output' } } },
            ],
          },
        }),
      );
    }
    const held = (n: number) => services.some((service) => service.lines.includes(`hold charge ${n}`));
    await waitUntil('the later charges to be held by the services', () => {
      for (let n = BEFORE_KILL + 1; n <= ORCHESTRATIONS; n++) if (!held(n)) return undefined;
      return true;
    });
    for (const run of runs.slice(0, BEFORE_KILL)) await run.result();
    const linesBeforeKill = services.map((service) => service.lines.length);

    await first.kill();
    writeFileSync(join(goDirectory, 'after-kill'), '');
    if (servicesOn === 'first') {
      await Promise.all(
        services.map((service, i) =>
          service.waitFor(`open ${second.url}`, { from: linesBeforeKill[i]!, timeoutMs: 90_000 }),
        ),
      );
    }

    const results = await Promise.all(runs.map((run) => survivor.result(run.id)));
    expect(results.map((result) => (result as { receipt: { n: number } }).receipt.n)).toEqual(
      Array.from({ length: ORCHESTRATIONS }, (_, i) => i + 1),
    );
    for (const run of runs) {
      expect((await survivor.get(run.id)).status).toBe('succeeded');
      const finishes = [];
      for await (const event of survivor.events(run.id)) if (event.type === 'run-finish') finishes.push(event);
      expect(finishes).toHaveLength(1);
    }
    const listed = await survivor.list({ limit: 100 });
    expect(listed.items.map((item) => item.status)).toEqual(Array(ORCHESTRATIONS).fill('succeeded'));

    // The survivor sent each held charge again (the same idempotency key) once the task's or the run's lease ran out.
    for (const run of runs.slice(BEFORE_KILL)) {
      const key = `${run.id}:charge`;
      const again = services.some((service, i) =>
        service.lines
          .slice(linesBeforeKill[i])
          .some((line) => line.startsWith('received ') && line.endsWith(` ${key}`)),
      );
      expect(again, key).toBe(true);
    }

    const applied = await log.effects();
    expect(applied).toHaveLength(2 * ORCHESTRATIONS);
    const invocations = await log.invocations();
    const keys = new Set(invocations.map((call) => call.key));
    expect(keys.size).toBe(2 * ORCHESTRATIONS);
    for (const key of keys) {
      expect(
        invocations.filter((call) => call.key === key && call.applied),
        key,
      ).toHaveLength(1);
    }
  }
}

describe.runIf(await postgresReachable())('replicas on PostgreSQL when one is killed', () => {
  it(
    'completes every orchestration once, each effect once, after the services move to the survivor',
    {
      timeout: 240_000,
    },
    () => failover({ servicesOn: 'first' }),
  );

  it(
    "completes every orchestration once, each effect once, after the survivor takes over the dead one's runs",
    {
      timeout: 240_000,
    },
    () => failover({ servicesOn: 'second' }),
  );
});
