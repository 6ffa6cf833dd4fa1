import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.js';
import { createMemoryStore } from './create-memory-store.js';
import { MemoryRunStore } from './memory-run-store.js';
import { MemoryTables } from './memory-tables.js';
import { openStore } from './open-store.js';
import { runStoreContract } from './run-store.contract.js';
import type { RunStore } from './run-store.js';
import { LONG_LEASE, newRun, readyRun, type StoredData } from './run-store-contract-kit.js';
import { STORE_DEFAULTS } from './store-defaults.js';

/** The contract's view into the tables: the same looks and tampering the SQL suites do with SQL. */
function storedData(tables: MemoryTables): StoredData {
  const entry = (runId: string, seq: number) => tables.journal.get(runId)?.find((row) => row.seq === seq);
  return {
    async journalData(runId) {
      return (tables.journal.get(runId) ?? []).map((row) => row.data);
    },
    async alterJournalEntry(runId, seq, change) {
      const row = entry(runId, seq);
      if (row === undefined) return;
      if (change.data !== undefined) row.data = change.data;
      if (change.prevHash !== undefined) row.prev_hash = change.prevHash;
    },
    async deleteJournalEntry(runId, seq) {
      const rows = tables.journal.get(runId);
      if (rows !== undefined)
        tables.journal.set(
          runId,
          rows.filter((row) => row.seq !== seq),
        );
    },
    async countBlobs() {
      return tables.blobs.size;
    },
    async overwriteBlobs(content) {
      for (const blob of tables.blobs.values()) blob.content = content;
    },
  };
}

const settings = { blobThresholdBytes: STORE_DEFAULTS.blobThresholdBytes, retentionMs: STORE_DEFAULTS.retentionMs };

runStoreContract(
  'memory',
  async () => {
    const tables = new MemoryTables();
    return { open: async () => new MemoryRunStore(tables, settings), stored: storedData(tables) };
  },
  async () => {},
);

describe('memory store', () => {
  const opened: RunStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  const keep = <T extends RunStore>(store: T): T => {
    opened.push(store);
    return store;
  };

  it('opens from the memory: URL, a new empty store each time', async () => {
    const first = keep(await openStore({ url: 'memory:', retentionMs: 0 }));
    const second = keep(await openStore({ url: 'memory:' }));
    expect(first.dialect).toBe('memory');
    await first.createRun(newRun('engine-a', { id: 'run' }));
    expect(await second.getRun('run')).toBeUndefined();
    await first.finishRun('run', 'engine-a', { status: 'succeeded' });
    // retentionMs 0 reached the store: its default purge takes the run that just finished.
    expect(await first.purge()).toMatchObject({ runs: 1 });
  });

  it('refuses a memory: URL with a path, and bad options, with a ValidationError naming them', async () => {
    const withPath = await openStore({ url: 'memory:runs' }).catch((error) => error);
    expect(ValidationError.isInstance(withPath)).toBe(true);
    expect(withPath).toMatchObject({ problems: [{ path: 'url', code: 'memory-path' }] });
    const badOption = (() => {
      try {
        return createMemoryStore({ retentionMs: -1 });
      } catch (error) {
        return error;
      }
    })();
    expect(ValidationError.isInstance(badOption)).toBe(true);
    expect(badOption).toMatchObject({ problems: [{ path: 'retentionMs' }] });
  });

  it('moves journal data over blobThresholdBytes out of line, by hash', async () => {
    const tables = new MemoryTables();
    const store = keep(new MemoryRunStore(tables, { ...settings, blobThresholdBytes: 100 }));
    await store.createRun(newRun('engine-a', { id: 'run' }));
    const output = 'x'.repeat(200);
    await store.appendJournal('run', 'engine-a', [{ type: 'step-finish', data: { output } }]);
    expect(tables.blobs.size).toBe(1);
    expect(JSON.parse(tables.journal.get('run')![0]!.data)).toEqual({ output: { $blob: expect.any(String) } });
    expect((await store.readJournal('run'))[0]?.data).toEqual({ output });
  });

  it('shares its data with stores made by share(), each closed on its own', async () => {
    const store = keep(createMemoryStore());
    const other = keep(store.share());
    const runId = await readyRun(store);
    await other.close();
    expect((await store.claimRuns('engine-b', LONG_LEASE, 1)).map((run) => run.id)).toEqual([runId]);
    await store.waitForWork(0);
    const waiting = store.waitForWork(60_000);
    await other.notifyWork();
    await store.notifyWork();
    await waiting;
  });

  it('rings every store waiting on the same data when one notifies, without waiting for a timeout', async () => {
    const store = keep(createMemoryStore());
    const waiters = [store, keep(store.share()), keep(store.share())];
    for (const waiter of waiters) await waiter.waitForWork(0);
    let woken = 0;
    const waits = waiters.map((waiter) => waiter.waitForWork(60_000).then(() => woken++));
    expect(woken).toBe(0);
    await waiters[2]!.notifyWork();
    await Promise.all(waits);
    expect(woken).toBe(3);
  });
});
