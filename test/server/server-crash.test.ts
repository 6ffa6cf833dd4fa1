/**
 * The server process is SIGKILLed while a step of a parallel plan is mid-task, and restarted on the same SQLite file
 * and port: the orchestration completes, every effect happens once per idempotency key, and an SSE client connected
 * before the kill resumes with Last-Event-ID and sees every journal event exactly once.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type StreamedOrchestrationEvent } from '@baton/sdk';
import { describe, expect, it } from 'vitest';
import { type EffectLocation, openEffectLog } from '../durable/effect-log.js';
import {
  cleanUpAfterEachTest,
  createProject,
  restartableServer,
  type ServerProcess,
  startServerProcess,
  startServiceProcess,
  waitUntil,
} from './process-kit.js';

const cleanups = cleanUpAfterEachTest();

/** `<run>.<seq>` as numbers, for ordering. */
const eventOrder = (id: string) => id.split('.').map(Number) as [number, number];
const isBefore = (a: string, b: string) => {
  const [runA, seqA] = eventOrder(a);
  const [runB, seqB] = eventOrder(b);
  return runA < runB || (runA === runB && seqA < seqB);
};

describe('a server killed mid-task and restarted on the same SQLite database', () => {
  it('completes the parallel plan, applies each effect once, and the SSE client sees each event once', {
    timeout: 180_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-server-crash-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const goDirectory = join(dir, 'go');
    mkdirSync(goDirectory);
    const effects: EffectLocation = { kind: 'sqlite', path: join(dir, 'effects.db') };
    const log = await openEffectLog(effects);
    const serverConfig = await restartableServer(join(dir, 'baton.db'));
    let server: ServerProcess = await startServerProcess('server', serverConfig);
    const apiKey = await createProject(server.url);
    const serviceConfig = (name: string) => ({
      name,
      label: name,
      urls: [server.url],
      apiKey,
      instanceDirectory: join(dir, `instances-${name}`),
      effects,
      goDirectory,
    });
    const pay = await startServiceProcess('pay', serviceConfig('pay'));
    await startServiceProcess('ledger', serviceConfig('ledger'));

    const client = createClient({
      url: server.url,
      apiKey,
      retry: { retries: 10_000, minDelayMs: 50, maxDelayMs: 500 },
    });
    const run = await client.orchestrate({
      action: 'Charge twice, then book both charges',
      plan: {
        steps: [
          { id: 'a', target: 'pay', input: { n: 1, holdFor: 'a' } },
          { id: 'b', target: 'pay', input: { n: 2 } },
          {
            id: 'c',
            target: 'ledger',
            input: { n: 3, charges: [{ $ref: 'steps.a.output' }, { $ref: 'steps.b.output' }] },
          },
        ],
      },
    });
    expect(run.parallelGroups).toEqual([['a', 'b'], ['c']]);
    const seen: StreamedOrchestrationEvent[] = [];
    const following = (async () => {
      for await (const event of run.events()) seen.push(event);
    })();

    await pay.waitFor('hold a 1');
    await pay.waitFor('applied b 2 true');
    await waitUntil('the SSE client to see step b finish', () =>
      seen.some((event) => event.type === 'step-finish' && event.stepId === 'b'),
    );
    const seenBeforeKill = seen.length;
    const linesBeforeKill = pay.lines.length;
    await server.kill();
    server = await startServerProcess('server (restarted)', { ...serverConfig, replicaId: 'second-life' });
    // The restarted server sends step a again (a new task, the same idempotency key) while its handler still holds:
    // the service answers it from that handler instead of running another.
    const [, , firstTask, , key] = (await pay.waitFor(/^task a /)).split(' ');
    await pay.waitFor(
      (line) => line.startsWith('received ') && line.endsWith(` ${key}`) && !line.includes(firstTask!),
      {
        from: linesBeforeKill,
        timeoutMs: 90_000,
      },
    );
    expect(await log.effects()).toHaveLength(1);
    writeFileSync(join(goDirectory, 'a'), '');

    expect(await run.result()).toEqual({
      c: { step: 'c', n: 3, by: 'ledger' },
    });
    await following;
    const view = await client.get(run.id);
    expect(view.status).toBe('succeeded');

    const ids = seen.flatMap((event) => (event.eventId === undefined ? [] : [event.eventId]));
    expect(seen.length).toBeGreaterThan(seenBeforeKill);
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) expect(isBefore(ids[i - 1]!, ids[i]!), `${ids[i - 1]} < ${ids[i]}`).toBe(true);
    expect(seen.at(-1)?.type).toBe('run-finish');
    const journal: string[] = [];
    for await (const event of run.events()) if (event.eventId !== undefined) journal.push(event.eventId);
    expect(ids).toEqual(journal);

    const applied = await log.effects();
    expect(applied.map((effect) => effect.stepKey).sort()).toEqual(['a', 'b', 'c']);
    expect(new Set(applied.map((effect) => effect.key)).size).toBe(3);
    const invocations = await log.invocations();
    // The repeat of step a that the restarted server sent was answered from the handler already running for its key.
    expect(invocations.map((call) => [call.stepKey, call.applied]).sort()).toEqual([
      ['a', true],
      ['b', true],
      ['c', true],
    ]);
    await log.close();
  });
});
