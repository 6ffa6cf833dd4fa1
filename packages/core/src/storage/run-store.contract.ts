/**
 * The cases every RunStore must pass, whatever database is behind it. A test file calls `runStoreContract` with a
 * factory of fresh, empty databases; each case opens one or more stores on its own database (two stores on one
 * database stand for two engine processes) and may look inside or tamper with the stored data behind the store's
 * back (`ContractDatabase.stored`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.js';
import type { RunStore, StoredRun } from './run-store.js';
import { type ContractContext, type ContractDatabase, LONG_LEASE, newRun, readyRun } from './run-store-contract-kit.js';
import { runJournalContract } from './run-store-journal.contract.js';
import { runManyRunsContract } from './run-store-many-runs.contract.js';
import { DuplicateRunError, LeaseLostError } from './storage-errors.js';

export function runStoreContract(
  name: string,
  freshDatabase: () => Promise<ContractDatabase>,
  cleanup: () => Promise<void>,
): void {
  describe(`RunStore contract: ${name}`, () => {
    const opened: RunStore[] = [];
    const context: ContractContext = {
      async database() {
        const database = await freshDatabase();
        return {
          stored: database.stored,
          async open() {
            const store = await database.open();
            opened.push(store);
            return store;
          },
        };
      },
    };
    const openOne = async () => (await context.database()).open();

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });
    afterAll(cleanup);

    describe('runs', () => {
      it('creates, gets and lists runs', async () => {
        const store = await openOne();
        const created = await store.createRun(newRun('engine-a', { id: 'run-1' }));
        expect(created).toMatchObject({
          id: 'run-1',
          status: 'running',
          plan: { steps: [{ id: 'a', target: 'echo' }] },
          request: { text: 'hello' },
          options: { maxParallel: 2 },
          owner: 'engine-a',
          wakeAt: null,
          idempotencyKey: null,
          finishedAt: null,
        });
        expect(created.leaseExpiresAt).toBeGreaterThan(Date.now() + LONG_LEASE / 2);
        expect(await store.getRun('run-1')).toEqual(created);
        expect(await store.getRun('missing')).toBeUndefined();
        await sleep(2);
        await store.createRun(newRun('engine-a', { id: 'run-2' }));
        await store.finishRun('run-2', 'engine-a', { status: 'succeeded', output: { answer: 42 } });
        expect((await store.listRuns()).map((run) => run.id)).toEqual(['run-2', 'run-1']);
        expect((await store.listRuns({ status: ['succeeded'] })).map((run) => run.id)).toEqual(['run-2']);
        expect(await store.listRuns({ status: [] })).toEqual([]);
        expect(await store.listRuns({ limit: 1 })).toHaveLength(1);
        await store.close();
        await store.close();
      });

      it('refuses a second run with the same id or idempotency key', async () => {
        const store = await openOne();
        await store.createRun(newRun('engine-a', { id: 'first', idempotencyKey: 'order-7' }));
        const byKey = await store.createRun(newRun('engine-a', { idempotencyKey: 'order-7' })).catch((error) => error);
        expect(DuplicateRunError.isInstance(byKey)).toBe(true);
        expect(byKey).toMatchObject({ existingRunId: 'first', idempotencyKey: 'order-7' });
        const byId = await store.createRun(newRun('engine-a', { id: 'first' })).catch((error) => error);
        expect(byId).toMatchObject({ code: 'run-duplicate', existingRunId: 'first' });
        expect((await store.findRunByIdempotencyKey('order-7'))?.id).toBe('first');
        expect(await store.findRunByIdempotencyKey('other')).toBeUndefined();
        await store.createRun(newRun('engine-a', { id: 'no-key-1' }));
        await store.createRun(newRun('engine-a', { id: 'no-key-2' }));
        expect(await store.listRuns()).toHaveLength(3);
      });
      it('starts a journal with the run, and ends one with it', async () => {
        const store = await openOne();
        const start = { type: 'run-start', data: { engine: 'engine-a', versions: {} } };
        await store.createRun(newRun('engine-a', { id: 'run' }), [start]);
        await store.appendJournal('run', 'engine-a', [{ type: 'step-finish', stepKey: 'a', data: { output: 1 } }]);
        const finish = { type: 'run-finish', data: { output: { a: 1 } } };
        expect(await store.finishRun('run', 'engine-a', { status: 'succeeded', output: { a: 1 } }, [finish])).toBe(
          true,
        );
        const journal = await store.readJournal('run');
        expect(journal.map((entry) => [entry.seq, entry.type, entry.data])).toEqual([
          [0, 'run-start', start.data],
          [1, 'step-finish', { output: 1 }],
          [2, 'run-finish', finish.data],
        ]);
        expect(await store.verifyJournal('run')).toEqual({ ok: true, entries: 3 });
        expect(await store.getRun('run')).toMatchObject({ status: 'succeeded', output: { a: 1 }, owner: null });
        // A duplicate writes neither a run nor an entry.
        const duplicate = await store.createRun(newRun('engine-b', { id: 'run' }), [start]).catch((error) => error);
        expect(DuplicateRunError.isInstance(duplicate)).toBe(true);
        expect(await store.readJournal('run')).toHaveLength(3);
      });

      it('writes no last entries and keeps the run as it was when its owner lost it', async () => {
        const store = await openOne();
        await store.createRun(newRun('engine-a', { id: 'run' }), [{ type: 'run-start' }]);
        const finish = [{ type: 'run-finish', data: { output: 1 } }];
        expect(await store.finishRun('run', 'engine-b', { status: 'succeeded', output: 1 }, finish)).toBe(false);
        expect(await store.finishRun('missing', 'engine-a', { status: 'succeeded' }, finish)).toBe(false);
        expect((await store.readJournal('run')).map((entry) => entry.type)).toEqual(['run-start']);
        expect(await store.getRun('run')).toMatchObject({ status: 'running', owner: 'engine-a', finishedAt: null });
      });

      it('stores copies: changing written objects afterwards changes nothing, and each read is a fresh copy', async () => {
        const store = await openOne();
        const run = newRun('engine-a', { id: 'run' });
        await store.createRun(run);
        (run.plan.steps[0] as { target: string }).target = 'changed';
        const data = { output: { items: ['a'] } };
        await store.appendJournal('run', 'engine-a', [{ type: 'step-finish', stepKey: 'a', data }]);
        data.output.items.push('b');
        const approval = { id: 'approval', runId: 'run', stepKey: 'a', prompt: '?', data: { n: 1 }, expiresAt: null };
        await store.createApproval(approval);
        approval.data.n = 2;
        const read = (await store.getRun('run'))!;
        expect(read.plan).toEqual({ steps: [{ id: 'a', target: 'echo' }] });
        (read.plan as { steps: unknown[] }).steps.length = 0;
        expect((await store.getRun('run'))?.plan).toEqual({ steps: [{ id: 'a', target: 'echo' }] });
        const [entry] = await store.readJournal('run');
        expect(entry!.data).toEqual({ output: { items: ['a'] } });
        (entry!.data as typeof data).output.items.length = 0;
        expect((await store.readJournal('run'))[0]?.data).toEqual({ output: { items: ['a'] } });
        expect((await store.getApproval('approval'))?.data).toEqual({ n: 1 });
      });

      it('refuses journal data that is not JSON with a ValidationError, writing nothing', async () => {
        const store = await openOne();
        await store.createRun(newRun('engine-a', { id: 'run' }));
        await store.appendJournal('run', 'engine-a', [{ type: 'run-start' }]);
        const cyclic: Record<string, unknown> = {};
        cyclic.self = cyclic;
        for (const data of [{ n: Number.NaN }, cyclic]) {
          const error = await store
            .appendJournal('run', 'engine-a', [{ type: 'step-start' }, { type: 'step-finish', data }])
            .catch((caught) => caught);
          expect(ValidationError.isInstance(error)).toBe(true);
          expect(error).toMatchObject({ code: 'validation-failed', problems: [{ code: 'not-json' }] });
        }
        expect((await store.readJournal('run')).map((entry) => entry.type)).toEqual(['run-start']);
        expect(await store.verifyJournal('run')).toEqual({ ok: true, entries: 1 });
      });
    });

    describe('leases', () => {
      it('claims ready runs, expired leases and due waiting runs, but not live leases or future waits', async () => {
        const store = await openOne();
        const ready = await readyRun(store, 'ready');
        await store.createRun(newRun('dead-engine', { id: 'expired', leaseMs: 1 }));
        await store.createRun(newRun('live-engine', { id: 'live' }));
        await store.createRun(newRun('engine-a', { id: 'due' }));
        await store.parkRun('due', 'engine-a', Date.now() - 1);
        await store.createRun(newRun('engine-a', { id: 'later' }));
        await store.parkRun('later', 'engine-a', Date.now() + LONG_LEASE);
        await store.createRun(newRun('engine-a', { id: 'forever' }));
        await store.parkRun('forever', 'engine-a', null);
        await sleep(5);
        const claimed = await store.claimRuns('engine-b', 30_000, 10);
        expect(claimed.map((run) => run.id).sort()).toEqual(['due', 'expired', ready].sort());
        for (const run of claimed) {
          expect(run).toMatchObject({ status: 'running', owner: 'engine-b', wakeAt: null });
          expect(run.leaseExpiresAt).toBeGreaterThan(Date.now() + 20_000);
        }
        expect(await store.claimRuns('engine-c', 30_000, 10)).toEqual([]);
        expect((await store.getRun('later'))?.status).toBe('waiting');
        expect(await store.claimRuns('engine-c', 30_000, 0)).toEqual([]);
      });

      it('respects the limit and takes the oldest runs first', async () => {
        const store = await openOne();
        for (const id of ['r1', 'r2', 'r3']) {
          await readyRun(store, id);
          await sleep(2);
        }
        expect((await store.claimRuns('engine-b', LONG_LEASE, 2)).map((run) => run.id)).toEqual(['r1', 'r2']);
        expect((await store.claimRuns('engine-b', LONG_LEASE, 2)).map((run) => run.id)).toEqual(['r3']);
      });

      it('gives two concurrent claimers disjoint sets that together hold every run', async () => {
        const database = await context.database();
        const [first, second] = [await database.open(), await database.open()];
        const ids = new Set<string>();
        for (let index = 0; index < 50; index++) ids.add(await readyRun(first));
        const claimAll = async (store: RunStore, owner: string): Promise<StoredRun[]> => {
          const taken: StoredRun[] = [];
          for (;;) {
            const batch = await store.claimRuns(owner, LONG_LEASE, 3);
            if (batch.length === 0) return taken;
            taken.push(...batch);
          }
        };
        const [a, b] = await Promise.all([claimAll(first, 'engine-a'), claimAll(second, 'engine-b')]);
        const aIds = a.map((run) => run.id);
        const bIds = b.map((run) => run.id);
        expect(aIds.filter((id) => bIds.includes(id))).toEqual([]);
        expect(new Set([...aIds, ...bIds])).toEqual(ids);
        expect(a.every((run) => run.owner === 'engine-a') && b.every((run) => run.owner === 'engine-b')).toBe(true);
      });

      it('renews the leases it still holds and reports the lost ones', async () => {
        const store = await openOne();
        await store.createRun(newRun('engine-a', { id: 'kept' }));
        await store.createRun(newRun('engine-a', { id: 'stolen', leaseMs: 1 }));
        await sleep(5);
        expect((await store.claimRuns('engine-b', LONG_LEASE, 5)).map((run) => run.id)).toEqual(['stolen']);
        const before = (await store.getRun('kept'))!.leaseExpiresAt!;
        await sleep(2);
        expect(await store.renewLeases('engine-a', ['kept', 'stolen', 'missing'], LONG_LEASE)).toEqual({
          lost: ['stolen', 'missing'],
          cancelRequested: new Map(),
        });
        expect((await store.getRun('kept'))!.leaseExpiresAt).toBeGreaterThan(before);
        expect((await store.getRun('stolen'))!.owner).toBe('engine-b');
        expect(await store.renewLeases('engine-a', [], LONG_LEASE)).toEqual({ lost: [], cancelRequested: new Map() });
      });

      it('ends the leases of an engine that is gone, so its unfinished runs are claimed at once', async () => {
        const store = await openOne();
        await store.createRun(newRun('engine-a', { id: 'a1', leaseMs: LONG_LEASE }));
        await store.createRun(newRun('engine-a', { id: 'a2', leaseMs: LONG_LEASE }));
        await store.createRun(newRun('engine-c', { id: 'c1', leaseMs: LONG_LEASE }));
        await store.createRun(newRun('engine-a', { id: 'done', leaseMs: LONG_LEASE }));
        expect(await store.finishRun('done', 'engine-a', { status: 'succeeded' })).toBe(true);
        expect(await store.claimRuns('engine-b', LONG_LEASE, 10)).toEqual([]);
        expect(await store.expireLeases('engine-a')).toBe(2);
        const claimed = await store.claimRuns('engine-b', LONG_LEASE, 10);
        expect(claimed.map((run) => run.id).sort()).toEqual(['a1', 'a2']);
        expect(claimed.every((run) => run.owner === 'engine-b')).toBe(true);
        expect((await store.getRun('c1'))!.owner).toBe('engine-c');
        expect(await store.expireLeases('engine-a')).toBe(0);
      });

      it('fences every owned write once the lease was taken over, writing nothing', async () => {
        const database = await context.database();
        const [old, taker] = [await database.open(), await database.open()];
        await old.createRun(newRun('engine-a', { id: 'run', leaseMs: 1 }));
        await old.appendJournal('run', 'engine-a', [{ type: 'run-start', data: { n: 1 } }]);
        await sleep(5);
        expect(await taker.claimRuns('engine-b', LONG_LEASE, 1)).toHaveLength(1);
        const error = await old
          .appendJournal('run', 'engine-a', [{ type: 'step-start', stepKey: 'a' }])
          .catch((caught) => caught);
        expect(LeaseLostError.isInstance(error)).toBe(true);
        expect(error).toMatchObject({ code: 'lease-lost', runId: 'run', owner: 'engine-a', currentOwner: 'engine-b' });
        expect(await old.parkRun('run', 'engine-a', null)).toBe(false);
        expect(await old.setRunStatus('run', 'engine-a', 'compensating')).toBe(false);
        expect(await old.finishRun('run', 'engine-a', { status: 'failed' })).toBe(false);
        expect(await taker.getRun('run')).toMatchObject({ status: 'running', owner: 'engine-b', finishedAt: null });
        expect((await taker.readJournal('run')).map((entry) => entry.type)).toEqual(['run-start']);
        const next = await taker.appendJournal('run', 'engine-b', [{ type: 'step-start', stepKey: 'a' }]);
        expect(next[0]?.seq).toBe(1);
        expect(await taker.verifyJournal('run')).toEqual({ ok: true, entries: 2 });
      });

      it('tells when the next run becomes claimable', async () => {
        const store = await openOne();
        expect(await store.nextClaimableAt()).toBeNull();
        const wakeAt = Date.now() + 10_000;
        await store.createRun(newRun('engine-a', { id: 'sleeper' }));
        await store.parkRun('sleeper', 'engine-a', wakeAt);
        expect(await store.nextClaimableAt()).toBe(wakeAt);
        const owned = await store.createRun(newRun('engine-a', { leaseMs: 5_000 }));
        expect(await store.nextClaimableAt()).toBe(owned.leaseExpiresAt);
        await readyRun(store);
        expect(await store.nextClaimableAt()).toBeLessThanOrEqual(Date.now());
      });
    });

    describe('parking, waking and finishing', () => {
      it('parks a run until woken, and wakes it when due', async () => {
        const store = await openOne();
        await store.createRun(newRun('engine-a', { id: 'run' }));
        expect(await store.parkRun('run', 'engine-a', Date.now() + LONG_LEASE)).toBe(true);
        expect(await store.getRun('run')).toMatchObject({ status: 'waiting', owner: null, leaseExpiresAt: null });
        expect(await store.claimRuns('engine-b', LONG_LEASE, 5)).toEqual([]);
        await store.wakeRun('run');
        expect(await store.getRun('run')).toMatchObject({ status: 'ready', wakeAt: null });
        expect((await store.claimRuns('engine-b', LONG_LEASE, 5)).map((run) => run.id)).toEqual(['run']);
        await store.wakeRun('missing');
      });

      it('parks as ready when a wake-up arrived while the run was owned', async () => {
        const store = await openOne();
        await store.createRun(newRun('engine-a', { id: 'run' }));
        await store.wakeRun('run');
        expect((await store.getRun('run'))?.status).toBe('running');
        await store.parkRun('run', 'engine-a', null);
        expect((await store.getRun('run'))?.status).toBe('ready');
        await store.claimRuns('engine-a', LONG_LEASE, 1);
        await store.parkRun('run', 'engine-a', null);
        expect((await store.getRun('run'))?.status).toBe('waiting');
      });

      it('keeps the compensating status through a takeover', async () => {
        const store = await openOne();
        await store.createRun(newRun('engine-a', { id: 'run', leaseMs: 1 }));
        expect(await store.setRunStatus('run', 'engine-a', 'compensating')).toBe(true);
        await sleep(5);
        expect(await store.claimRuns('engine-b', LONG_LEASE, 1)).toMatchObject([
          { status: 'compensating', owner: 'engine-b' },
        ]);
      });

      it('finishes a run once, releasing it', async () => {
        const store = await openOne();
        await store.createRun(newRun('engine-a', { id: 'ok' }));
        await store.createRun(newRun('engine-a', { id: 'bad' }));
        expect(await store.finishRun('ok', 'engine-a', { status: 'succeeded', output: { answer: 42 } })).toBe(true);
        expect(await store.finishRun('bad', 'engine-a', { status: 'failed', error: { code: 'boom' } })).toBe(true);
        const ok = await store.getRun('ok');
        expect(ok).toMatchObject({ status: 'succeeded', output: { answer: 42 }, owner: null, leaseExpiresAt: null });
        expect(ok?.finishedAt).toBeGreaterThan(0);
        expect(await store.getRun('bad')).toMatchObject({ status: 'failed', error: { code: 'boom' } });
        expect(await store.finishRun('ok', 'engine-a', { status: 'cancelled' })).toBe(false);
        expect(await store.claimRuns('engine-b', LONG_LEASE, 5)).toEqual([]);
      });
    });

    describe('cancel requests', () => {
      it('wakes a waiting run, keeps the first reason and tells the owner of a held run at its next renewal', async () => {
        const database = await context.database();
        const [engine, other] = [await database.open(), await database.open()];
        await engine.createRun(newRun('engine-a', { id: 'parked' }));
        await engine.parkRun('parked', 'engine-a', null);
        await engine.createRun(newRun('engine-a', { id: 'held' }));
        await engine.createRun(newRun('engine-a', { id: 'done' }));
        await engine.finishRun('done', 'engine-a', { status: 'succeeded' });
        expect((await engine.getRun('held'))?.cancelRequested).toBeNull();

        expect(await other.requestCancel('parked', 'customer left')).toBe(true);
        expect(await other.requestCancel('parked', 'second thoughts')).toBe(true);
        expect(await other.requestCancel('held', 'operator')).toBe(true);
        expect(await other.requestCancel('done', 'too late')).toBe(false);
        expect(await other.requestCancel('missing', 'nothing')).toBe(false);

        expect(await engine.getRun('parked')).toMatchObject({ status: 'ready', cancelRequested: 'customer left' });
        expect(await engine.getRun('done')).toMatchObject({ status: 'succeeded', cancelRequested: null });
        const renewal = await engine.renewLeases('engine-a', ['held'], LONG_LEASE);
        expect(renewal).toEqual({ lost: [], cancelRequested: new Map([['held', 'operator']]) });
        // The owner parks it before it noticed: the request makes it claimable instead of waiting.
        await engine.parkRun('held', 'engine-a', null);
        const claimed = await other.claimRuns('engine-b', LONG_LEASE, 5);
        expect(claimed.map((run) => [run.id, run.cancelRequested]).sort()).toEqual([
          ['held', 'operator'],
          ['parked', 'customer left'],
        ]);
      });
    });

    runJournalContract(context);
    runManyRunsContract(context);
  });
}
