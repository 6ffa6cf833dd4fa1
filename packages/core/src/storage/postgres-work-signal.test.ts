/**
 * The LISTEN connection behind PostgreSQL wake-ups, through a TCP proxy the test can cut: a lost channel is reported
 * (typed error, attempt, next retry) and retried with growing pauses while waits poll; once the server is reachable
 * again the channel is back, that is reported, and NOTIFY wakes waiters again.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresWorkSignal } from './postgres-work-signal.js';
import type { WorkSignalStatus } from './run-store.js';
import { StorageUnreachableError } from './storage-errors.js';
import { cuttableProxy, POSTGRES_TEST_URL } from './tcp-proxy-kit.js';

describe('PostgresWorkSignal', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('reports a lost LISTEN connection, retries with growing pauses, and reports the recovery', async () => {
    const proxy = await cuttableProxy();
    cleanups.push(proxy.close);
    const channelSchema = `signal_${Date.now().toString(36)}`;
    const signal = new PostgresWorkSignal({ connectionString: proxy.url }, channelSchema, {
      firstRetryMs: 20,
      maxRetryMs: 80,
    });
    cleanups.push(() => signal.close());
    const reports: WorkSignalStatus[] = [];
    signal.watch((status) => reports.push(status));
    await signal.start();
    expect(reports).toEqual([]);

    proxy.cut();
    const until = Date.now() + 10_000;
    while (reports.filter((r) => r.state === 'lost').length < 4 && Date.now() < until) await signal.wait(10);
    const lost = reports.filter((r): r is Extract<WorkSignalStatus, { state: 'lost' }> => r.state === 'lost');
    expect(lost.length).toBeGreaterThanOrEqual(4);
    expect(StorageUnreachableError.isInstance(lost[0]!.error)).toBe(true);
    expect(lost.map((r) => r.attempt).slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect(lost.map((r) => r.retryInMs).slice(0, 4)).toEqual([20, 40, 80, 80]);

    proxy.restore();
    while (!reports.some((r) => r.state === 'recovered') && Date.now() < until) await signal.wait(10);
    const recovered = reports.find((r) => r.state === 'recovered');
    expect(recovered).toMatchObject({ state: 'recovered', attempts: lost.length, downMs: expect.any(Number) });

    // Listening again: a NOTIFY from another connection ends a long wait.
    const notifier = new pg.Client({ connectionString: POSTGRES_TEST_URL });
    await notifier.connect();
    cleanups.push(() => notifier.end());
    const waiting = signal.wait(60_000);
    await notifier.query(`SELECT pg_notify('${signal.channel}', '')`);
    await waiting;
  }, 20_000);
});
