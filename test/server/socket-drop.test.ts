/**
 * A service's socket is cut (by a TCP proxy between it and the server) while it runs one task and more wait for it,
 * and restored: every task is delivered and answered once, in the order the server queued them — the result the
 * handler produced while cut arrives through the service's outbox — and every orchestration completes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type OrchestrationRun } from '@baton/sdk';
import { describe, expect, it } from 'vitest';
import { type EffectLocation, openEffectLog } from '../durable/effect-log.js';
import {
  ADMIN_TOKEN,
  type CuttableTcpProxy,
  cleanUpAfterEachTest,
  createProject,
  cuttableTcpProxy,
  freePort,
  SECRET_KEY,
  startServerProcess,
  startServiceProcess,
  taskQueueDepth,
  waitUntil,
} from './process-kit.js';

const cleanups = cleanUpAfterEachTest();

describe("a service's socket dropped and restored", () => {
  it('delivers and answers every queued task once, in order, and every orchestration completes', {
    timeout: 180_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-socket-drop-'));
    const goDirectory = join(dir, 'go');
    mkdirSync(goDirectory);
    const effects: EffectLocation = { kind: 'sqlite', path: join(dir, 'effects.db') };
    const log = await openEffectLog(effects);
    cleanups.push(async () => {
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const port = await freePort();
    const server = await startServerProcess('server', {
      databaseUrl: join(dir, 'baton.db'),
      port,
      adminToken: ADMIN_TOKEN,
      secretKey: SECRET_KEY,
      // Long: the dropped instance's task stays kept for it (not queued again), so the queue depth counts only the
      // waiting tasks.
      heartbeatMs: 60_000,
      serviceGraceMs: 120_000,
    });
    const apiKey = await createProject(server.url);
    const proxy: CuttableTcpProxy = await cuttableTcpProxy(port);
    cleanups.push(() => proxy.close());
    const service = await startServiceProcess('pay', {
      name: 'pay',
      label: 'pay',
      urls: [proxy.url],
      apiKey,
      instanceDirectory: join(dir, 'instances'),
      effects,
      goDirectory,
      maxConcurrency: 1,
    });
    const client = createClient({ url: server.url, apiKey });
    const runs: OrchestrationRun[] = [];
    /** Submits the n-th charge and waits until the server holds it: running (the first) or queued behind. */
    const submit = async (n: number, queued: number) => {
      const input = n === 1 ? { n, holdFor: 'first' } : { n };
      runs.push(
        await client.orchestrate({ action: `Charge ${n}`, plan: { steps: [{ id: 's', target: 'pay', input }] } }),
      );
      if (n === 1) await service.waitFor('hold s 1');
      else await waitUntil(`charge ${n} to be queued`, async () => (await taskQueueDepth(server.url)) === queued);
    };

    await submit(1, 0);
    await submit(2, 1);
    await submit(3, 2);
    const closesBefore = service.lines.filter((line) => line.startsWith('close ')).length;
    proxy.cut();
    await waitUntil('the service to see its socket close', () =>
      service.lines.filter((line) => line.startsWith('close ')).length > closesBefore ? true : undefined,
    );
    await submit(4, 3);
    await submit(5, 4);
    // The first charge finishes while the socket is down: its result waits in the service's outbox.
    writeFileSync(join(goDirectory, 'first'), '');
    await service.waitFor('applied s 1 true');
    const linesBeforeRestore = service.lines.length;
    proxy.restore();
    await service.waitFor(/^open /, { from: linesBeforeRestore });

    const results = await Promise.all(runs.map((run) => run.result()));
    expect(results).toEqual([1, 2, 3, 4, 5].map((n) => ({ s: { step: 's', n, by: 'pay' } })));
    for (const run of runs) expect((await client.get(run.id)).status).toBe('succeeded');

    const handled = service.lines.filter((line) => line.startsWith('task ')).map((line) => line.split(' '));
    expect(handled.map(([, , , n]) => Number(n))).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(handled.map(([, , taskId]) => taskId)).size).toBe(5);
    const received = service.lines.filter((line) => line.startsWith('received ')).map((line) => line.split(' ')[1]);
    expect(received).toEqual(handled.map(([, , taskId]) => taskId));
    const invocations = await log.invocations();
    expect(invocations.map((call) => call.applied)).toEqual([true, true, true, true, true]);
    expect(new Set(invocations.map((call) => call.key)).size).toBe(5);
    expect(await log.effects()).toHaveLength(5);
    expect(proxy.accepted).toBeGreaterThanOrEqual(2);
  });
});
