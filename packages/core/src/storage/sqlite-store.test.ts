import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { type Compilable, Kysely, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { BatonDatabase } from './database-schema.js';
import { openStore } from './open-store.js';
import { claimable, claimQuery } from './run-queries.js';
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

describe('SQLite query plans', () => {
  it('claims and wake-up times search the partial run indexes, never scanning the runs', async () => {
    const path = join(folder, 'plans.db');
    const store = await openStore({ url: path });
    for (let index = 0; index < 50; index++) {
      await store.createRun({ id: `done-${index}`, plan: {}, request: {}, options: {}, owner: 'e', leaseMs: 60_000 });
      await store.finishRun(`done-${index}`, 'e', { status: 'succeeded', output: null });
    }
    await readyRun(store);
    await store.close();
    const database = new Database(path);
    const db = new Kysely<BatonDatabase>({ dialect: new SqliteDialect({ database }) });
    try {
      const planOf = (query: Compilable) => {
        const { sql, parameters } = query.compile();
        const rows = database.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...parameters) as { detail: string }[];
        return rows.map((row) => row.detail);
      };
      const now = Date.now();
      const plans = {
        claim: planOf(claimQuery(db, 'e', 1000, 10, now, false)),
        claimOwn: planOf(claimQuery(db, 'e', 1000, 10, now, false, true)),
        ready: planOf(db.selectFrom('baton_runs').select('id').where(claimable(now)).limit(1)),
        purge: planOf(db.selectFrom('baton_runs').select('id').where('finished_at', '<=', now)),
      };
      for (const [name, plan] of Object.entries(plans)) {
        expect({ name, scans: plan.filter((detail) => detail.startsWith('SCAN baton_runs')) }).toEqual({
          name,
          scans: [],
        });
      }
      expect(plans.claim.join('\n')).toMatch(/baton_runs_by_lease[\s\S]*baton_runs_by_wake/);
      expect(plans.purge.join('\n')).toContain('baton_runs_by_finish');
      // The indexes hold only the rows their queries look for: unfinished runs, runs with a wake time, finished runs.
      const definitions = database
        .prepare(
          "SELECT name, sql FROM sqlite_master WHERE name IN ('baton_runs_by_lease', 'baton_runs_by_wake', 'baton_runs_by_finish') ORDER BY name",
        )
        .all() as { name: string; sql: string }[];
      expect(definitions.map(({ name, sql }) => [name, sql.slice(sql.indexOf(' where '))])).toEqual([
        ['baton_runs_by_finish', ' where "finished_at" is not null'],
        ['baton_runs_by_lease', ' where "finished_at" is null'],
        ['baton_runs_by_wake', ' where "wake_at" is not null'],
      ]);
    } finally {
      await db.destroy();
    }
  });
});
