/**
 * The RunStore contract for many runs written at once (see `run-store.contract.ts`): a server starts, advances and
 * ends many runs in the same turn of the event loop, which a store may write together (PostgreSQL's batched
 * statements, SQLite's group commit). Each run keeps its own outcome: a lost lease, a taken idempotency key or a
 * head another store moved fails or slows that run alone.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { type ContractContext, LONG_LEASE, newRun } from './run-store-contract-kit.js';
import { DuplicateRunError, LeaseLostError } from './storage-errors.js';

const RUNS = 24;
const ids = Array.from({ length: RUNS }, (_, at) => `run-${String(at).padStart(2, '0')}`);

export function runManyRunsContract(context: ContractContext): void {
  describe('many runs at once', () => {
    it('creates, appends to and finishes many runs in the same turns, each with a chain of its own', async () => {
      const database = await context.database();
      const [store, other] = [await database.open(), await database.open()];
      const created = await Promise.all(
        ids.map((id) =>
          store.createRun(newRun('engine-a', { id, idempotencyKey: `key-${id}` }), [{ type: 'run-start' }]),
        ),
      );
      expect(created.map((run) => run.id)).toEqual(ids);
      // Another store of the same owner moves one head: the store that wrote the rest no longer knows it.
      await other.appendJournal('run-05', 'engine-a', [{ type: 'note', data: { by: 'other' } }]);
      const appended = await Promise.all(
        ids.map((id) =>
          store.appendJournal(id, 'engine-a', [
            { type: 'step-finish', stepKey: 'left', data: { output: `${id}:left` } },
            { type: 'step-finish', stepKey: 'right', data: { output: `${id}:right` } },
          ]),
        ),
      );
      expect(appended.map((entries) => entries.map((entry) => entry.seq))).toEqual(
        ids.map((id) => (id === 'run-05' ? [2, 3] : [1, 2])),
      );
      const finished = await Promise.all(
        ids.map((id) =>
          store.finishRun(id, 'engine-a', { status: 'succeeded', output: id }, [
            { type: 'step-finish', stepKey: 'join', data: { output: id } },
            { type: 'run-finish', data: { output: id } },
          ]),
        ),
      );
      expect(finished).toEqual(ids.map(() => true));
      for (const id of ids) {
        const journal = await other.readJournal(id);
        const types = ['run-start', 'step-finish', 'step-finish', 'step-finish', 'run-finish'];
        expect(journal.map((entry) => entry.type)).toEqual(
          id === 'run-05' ? ['run-start', 'note', ...types.slice(1)] : types,
        );
        expect(journal.at(-2)?.data).toEqual({ output: id });
        expect(await other.verifyJournal(id)).toEqual({ ok: true, entries: journal.length });
        expect(await other.getRun(id)).toMatchObject({ status: 'succeeded', output: id, owner: null });
      }
    });

    it('fails only the run whose lease was lost, and only the second run of a taken key, among many at once', async () => {
      const database = await context.database();
      const store = await database.open();
      const starts = await Promise.allSettled([
        ...ids.map((id) =>
          store.createRun(newRun('engine-a', { id, ...(id === 'run-03' ? { leaseMs: 1 } : {}) }), [
            { type: 'run-start' },
          ]),
        ),
        store.createRun(newRun('engine-a', { id: 'run-01' }), [{ type: 'run-start' }]),
      ]);
      expect(starts.slice(0, RUNS).map((start) => start.status)).toEqual(ids.map(() => 'fulfilled'));
      const repeated = starts[RUNS];
      expect(repeated?.status === 'rejected' && DuplicateRunError.isInstance(repeated.reason)).toBe(true);
      await sleep(5);
      expect((await store.claimRuns('engine-b', LONG_LEASE, 10)).map((run) => run.id)).toEqual(['run-03']);
      const appends = await Promise.allSettled(
        ids.map((id) => store.appendJournal(id, 'engine-a', [{ type: 'step-finish', stepKey: 'a', data: { id } }])),
      );
      for (const [at, append] of appends.entries()) {
        if (ids[at] === 'run-03') {
          expect(append.status === 'rejected' && LeaseLostError.isInstance(append.reason)).toBe(true);
          expect(append.status === 'rejected' && append.reason.currentOwner).toBe('engine-b');
        } else expect(append).toMatchObject({ status: 'fulfilled', value: [{ seq: 1 }] });
      }
      const finishes = await Promise.all(
        ids.map((id) => store.finishRun(id, 'engine-a', { status: 'failed', error: { id } }, [{ type: 'run-finish' }])),
      );
      expect(finishes).toEqual(ids.map((id) => id !== 'run-03'));
      expect(await store.getRun('run-03')).toMatchObject({ status: 'running', owner: 'engine-b' });
      expect((await store.readJournal('run-03')).map((entry) => entry.type)).toEqual(['run-start']);
      expect(await store.getRun('run-04')).toMatchObject({ status: 'failed', error: { id: 'run-04' }, owner: null });
      expect((await store.readJournal('run-04')).map((entry) => entry.type)).toEqual([
        'run-start',
        'step-finish',
        'run-finish',
      ]);
    });
  });
}
