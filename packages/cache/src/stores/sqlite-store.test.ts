import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CacheStoreError } from '../errors.js';
import { SqliteStore } from './sqlite-store.js';
import { makeEntry, runStoreContract } from './store-contract.js';

const directory = mkdtempSync(join(tmpdir(), 'baton-cache-sqlite-'));
let n = 0;
runStoreContract('sqlite', async () => new SqliteStore({ path: join(directory, `cache-${n++}.db`) }));

it('shares one file between two store instances (two processes), in WAL mode', async () => {
  const path = join(directory, 'shared.db');
  const writer = new SqliteStore({ path });
  const reader = new SqliteStore({ path });
  const entry = makeEntry();
  await writer.put(entry);
  expect((await reader.getByExactKey(entry.exactKey))!.id).toBe(entry.id);
  expect((await reader.vectorsSince(entry.partition, undefined)).items).toHaveLength(1);
  await writer.close();
  await reader.close();
});

it('refuses a file that is not a SQLite database with CacheStoreError naming the file', () => {
  const path = join(directory, 'not-a-database.db');
  writeFileSync(path, 'this is a text file, not a database '.repeat(100));
  expect(() => new SqliteStore({ path })).toThrow(CacheStoreError);
  expect(() => new SqliteStore({ path })).toThrow(/not-a-database\.db/);
});

it('creates the folder of a new database file', async () => {
  const store = new SqliteStore({ path: join(directory, 'nested', 'deeper', 'cache.db') });
  await store.put(makeEntry());
  expect((await store.stats()).entries).toBe(1);
  await store.close();
});

it('gives rows of a file written before entries recorded their embedder the store-wide embedder', async () => {
  const path = join(directory, 'legacy.db');
  const legacy = new Database(path);
  legacy.exec(`CREATE TABLE baton_cache_entries (id TEXT PRIMARY KEY, exact_key TEXT NOT NULL UNIQUE,
    partition TEXT NOT NULL, scope TEXT NOT NULL, tags TEXT NOT NULL, text TEXT NOT NULL, vector BLOB NOT NULL,
    chunks BLOB NOT NULL, chunk_count INTEGER NOT NULL, payload TEXT NOT NULL, created_at INTEGER NOT NULL,
    last_access_at INTEGER NOT NULL, expires_at INTEGER, sliding_ttl_ms INTEGER, blocked INTEGER NOT NULL,
    bytes INTEGER NOT NULL);
    CREATE TABLE baton_cache_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO baton_cache_meta VALUES ('embedder', 'sif-old|3');`);
  legacy
    .prepare('INSERT INTO baton_cache_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 1, 1, NULL, NULL, 0, 10)')
    .run(
      'old',
      'old-key',
      'p1',
      's',
      '[]',
      'q',
      Buffer.from(Float32Array.from([1, 0, 0]).buffer),
      Buffer.alloc(0),
      'j:1',
    );
  legacy.close();
  const store = new SqliteStore({ path });
  expect(await store.get('old')).toMatchObject({ embedder: 'sif-old', dimension: 3 });
  await store.put(makeEntry());
  expect((await store.stats()).entries).toBe(2);
  await store.close();
});

describe('a damaged cache file', () => {
  /** A real cache file of `entries` entries, checkpointed and closed, and its page size. */
  async function writeCacheFile(name: string, entries: number): Promise<{ path: string; pageSize: number }> {
    const path = join(directory, name);
    const store = new SqliteStore({ path });
    for (let i = 0; i < entries; i++) await store.put(makeEntry({ text: `question ${i} `.repeat(40) }));
    await store.close();
    const pageSize = readFileSync(path).readUInt16BE(16);
    return { path, pageSize };
  }

  /** Overwrites pages `from`..end with noise, leaving the 100-byte header (and pages before `from`) intact. */
  function damage(path: string, fromByte: number): void {
    const bytes = readFileSync(path);
    for (let i = fromByte; i < bytes.length; i++) bytes[i] = (i * 131 + 7) & 0xff;
    writeFileSync(path, bytes);
  }

  const isStoreError = (path: string) => (error: unknown) =>
    CacheStoreError.isInstance(error) &&
    error.location === path &&
    error.cause instanceof Error &&
    typeof error.storeCode === 'string' &&
    !error.retryable;

  it('is a CacheStoreError at open when the schema page is damaged', async () => {
    const { path } = await writeCacheFile('damaged-schema.db', 5);
    expect(readFileSync(path).subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
    damage(path, 100);
    let thrown: unknown;
    try {
      new SqliteStore({ path });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toSatisfy(isStoreError(path));
    expect((thrown as CacheStoreError).operation).toBe('open');
  });

  it('is a CacheStoreError on a later read and write when data pages are damaged', async () => {
    const { path, pageSize } = await writeCacheFile('damaged-pages.db', 200);
    damage(path, pageSize * 2);
    const store = new SqliteStore({ path });
    await expect(store.stats()).rejects.toSatisfy(isStoreError(path));
    await expect(store.leastRecentlyUsed(500)).rejects.toSatisfy(isStoreError(path));
    await expect(store.put(makeEntry())).rejects.toSatisfy(isStoreError(path));
    const failed = await store.stats().catch((error: CacheStoreError) => error);
    expect((failed as CacheStoreError).operation).toBe('stats');
    await store.close();
  });
});
