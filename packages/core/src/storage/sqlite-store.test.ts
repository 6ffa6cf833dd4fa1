import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from './open-store.js';
import { runStoreContract } from './run-store.contract.js';
import { readyRun, sqlStoredData } from './run-store-contract-kit.js';

const run = promisify(execFile);

const folder = mkdtempSync(join(tmpdir(), 'baton-sqlite-store-'));
let databases = 0;

afterAll(() => rmSync(folder, { recursive: true, force: true }));

for (const groupCommit of [false, true]) {
  runStoreContract(
    groupCommit ? 'SQLite, group commit' : 'SQLite',
    async () => {
      const path = join(folder, `store-${++databases}.db`);
      return {
        open: () => openStore({ url: `sqlite:${path}`, groupCommit }),
        stored: sqlStoredData(async (statement) => {
          const database = new Database(path);
          try {
            const prepared = database.prepare(statement);
            if (prepared.reader) return prepared.all() as Record<string, unknown>[];
            prepared.run();
            return [];
          } finally {
            database.close();
          }
        }),
      };
    },
    async () => {},
  );
}

describe('SQLite across processes', () => {
  it('gives two engine processes on one file disjoint runs that together are all of them', async () => {
    const path = join(folder, 'shared.db');
    const store = await openStore({ url: path });
    const ids = new Set<string>();
    for (let index = 0; index < 300; index++) ids.add(await readyRun(store));
    await store.close();
    const worker = fileURLToPath(new URL('./__fixtures__/claim-worker.ts', import.meta.url));
    const startAt = String(Date.now() + 1_500);
    const claims = await Promise.all(
      ['engine-a', 'engine-b'].map(async (owner) => {
        const { stdout } = await run(process.execPath, ['--import', 'tsx', worker, path, owner, startAt]);
        return JSON.parse(stdout) as string[];
      }),
    );
    const [a, b] = claims as [string[], string[]];
    expect(a.filter((id) => b.includes(id))).toEqual([]);
    expect(new Set([...a, ...b])).toEqual(ids);
    expect(a.length + b.length).toBe(300);
  });
});

describe('SQLite in one process', () => {
  it('holds no write lock across an await: another store writes while a purge and a finish are under way', async () => {
    // better-sqlite3 waits for a lock synchronously, so a lock held across an await on one connection blocks the whole
    // process until the other connection's busy timeout gives up.
    const path = join(folder, 'one-process.db');
    const [first, second] = [await openStore({ url: path }), await openStore({ url: path, busyTimeoutMs: 200 })];
    try {
      const runId = await readyRun(second);
      const purging = first.purge(0);
      const finishing = first.finishRun('missing', 'nobody', { status: 'failed' });
      await expect(second.requestCancel(runId, 'while purging')).resolves.toBe(true);
      await Promise.all([purging, finishing]);
      expect((await first.getRun(runId))?.cancelRequested).toBe('while purging');
    } finally {
      await first.close();
      await second.close();
    }
  });
});
