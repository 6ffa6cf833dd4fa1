import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { openStore } from './open-store.js';
import { SqliteCheckpointer } from './sqlite-checkpointer.js';

const folder = mkdtempSync(join(tmpdir(), 'baton-checkpointer-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A store at `path` with one run whose journal got `entries` entries of 2 KB; and the file's size before them. */
async function filledStore(path: string, entries: number) {
  const store = await openStore({ url: path, blobThresholdBytes: 1 << 20 });
  await store.createRun({ id: 'run', plan: {}, request: null, options: null, owner: 'engine', leaseMs: 60_000 });
  const before = statSync(path).size;
  const payload = 'x'.repeat(2000);
  for (let i = 0; i < entries; i++) {
    await store.appendJournal('run', 'engine', [{ type: 'step-finish', stepKey: `s${i}`, data: { payload, i } }]);
  }
  return { store, before };
}

/** A WAL database whose own checkpoints are off, with a table to insert into. */
function walDatabase(path: string) {
  const database = new Database(path);
  database.pragma('journal_mode = WAL');
  database.pragma('wal_autocheckpoint = 0');
  database.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, pad TEXT)');
  return { database, insert: database.prepare('INSERT INTO t (pad) VALUES (?)') };
}

it('folds the WAL back into the database file in the background, with no checkpoint on the commit path', async () => {
  const path = join(folder, 'baton.db');
  const { store, before } = await filledStore(path, 500);
  // A megabyte went to the WAL; SQLite's own checkpoint is off, so the file only grows once the worker has run.
  expect(statSync(`${path}-wal`).size).toBeGreaterThan(1_000_000);
  expect(statSync(path).size).toBeLessThan(before + 100_000);
  let grown = false;
  for (let waited = 0; waited < 5000 && !grown; waited += 50) {
    await sleep(50);
    grown = statSync(path).size > before + 900_000;
  }
  expect(grown).toBe(true);
  expect((await store.verifyJournal('run')).ok).toBe(true);
  await store.close();
  const reopened = await openStore({ url: path });
  expect(await reopened.readJournal('run')).toHaveLength(500);
  await reopened.close();
});

it('has folded the WAL in and closed every connection by the time close() resolves', async () => {
  const path = join(folder, 'closing.db');
  const { store, before } = await filledStore(path, 200);
  // Once the file has grown, the worker has run a checkpoint and holds a connection of its own to close.
  for (let waited = 0; waited < 5000 && statSync(path).size < before + 200_000; waited += 50) await sleep(50);
  expect(statSync(path).size).toBeGreaterThan(before + 200_000);
  await store.close();
  // The last connection to close removes the WAL and the shared-memory file: nothing may close after this point.
  expect(existsSync(`${path}-wal`)).toBe(false);
  expect(existsSync(`${path}-shm`)).toBe(false);
});

it('keeps a process that awaits close() as its last act alive until the worker has closed', async () => {
  const script = fileURLToPath(new URL('./__fixtures__/close-at-end.ts', import.meta.url));
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, join(folder, 'last-act.db')]);
  expect(stdout).toBe('closed');
});

it('has the owner fold in what the worker left, so the WAL starts over under constant writes', async () => {
  const path = join(folder, 'constant.db');
  const { database, insert } = walDatabase(path);
  let finished = 0;
  const checkpointer = new SqliteCheckpointer({
    path,
    intervalMs: 10,
    minWalBytes: 0,
    restartFrames: 1,
    finish: () => {
      database.pragma('wal_checkpoint(PASSIVE)');
      finished += 1;
    },
  });
  try {
    // Writes never stop for long, as under load: the worker alone would never see the whole WAL folded in.
    let writes = 0;
    while (finished < 3 && writes < 100_000) {
      insert.run('x'.repeat(3000));
      writes += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(finished).toBe(3);
    // The owner folded everything in between two writes: this one starts the WAL from its beginning.
    insert.run('after');
    const [{ log }] = database.pragma('wal_checkpoint(PASSIVE)') as [{ log: number }];
    expect(log).toBeLessThan(10);
    expect(writes).toBeGreaterThan(log);
  } finally {
    await checkpointer.close();
    database.close();
  }
});

it('leaves the WAL to grow to restartFrames before the owner folds in the rest', async () => {
  const path = join(folder, 'threshold.db');
  const { database, insert } = walDatabase(path);
  const walFramesAtFinish: number[] = [];
  const checkpointer = new SqliteCheckpointer({
    path,
    intervalMs: 10,
    minWalBytes: 0,
    restartFrames: 200,
    finish: () => {
      walFramesAtFinish.push((database.pragma('wal_checkpoint(PASSIVE)') as [{ log: number }])[0].log);
    },
  });
  try {
    for (let writes = 0; walFramesAtFinish.length < 2 && writes < 100_000; writes++) {
      insert.run('x'.repeat(3000));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(walFramesAtFinish).toHaveLength(2);
    for (const frames of walFramesAtFinish) expect(frames).toBeGreaterThanOrEqual(200);
  } finally {
    await checkpointer.close();
    database.close();
  }
});
