/**
 * A SQLite store (better-sqlite3, one file, WAL): the embedded default of `enhance()`. Several processes may share the
 * file; the rowid of each insert is the vector log cursor, so other processes pick up new entries on their next
 * lookup. Each row records its embedder id and dimension. A file that is not a SQLite database, or cannot be opened,
 * is a `CacheStoreError` at construction; damaged pages found later, by any read or write, are a `CacheStoreError`
 * too (never a raw driver error), naming the file, the operation and the driver's code.
 */
import { dirname } from 'node:path';
import { makeDirectory } from '@baton/core';
import Database from 'better-sqlite3';
import { CacheStoreError, VectorDimensionError } from '../errors.js';
import {
  assertEntryDimension,
  type CacheEntry,
  type CacheStore,
  type VectorLogPage,
  vectorFromBytes,
} from './cache-store.js';

export interface SqliteStoreOptions {
  /** Database file (its folder is created when missing); `:memory:` for a private in-memory database. */
  path: string;
}

interface Row {
  id: string;
  exact_key: string;
  partition: string;
  scope: string;
  embedder: string;
  dimension: number;
  tags: string;
  text: string;
  vector: Buffer;
  chunks: Buffer;
  chunk_count: number;
  payload: string;
  created_at: number;
  last_access_at: number;
  expires_at: number | null;
  sliding_ttl_ms: number | null;
  blocked: number;
  bytes: number;
}

const bytesOf = (vector: Float32Array) => Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);

/** "Not now" driver failures: busy, locked, I/O. A caller may step around these; the rest need the user. */
const TRANSIENT = /^SQLITE_(BUSY|LOCKED|IOERR)/;

export class SqliteStore implements CacheStore {
  readonly #db: Database.Database;
  readonly #path: string;

  constructor(options: SqliteStoreOptions) {
    this.#path = options.path;
    this.#db = this.#guard('open', () => {
      if (options.path !== ':memory:' && options.path !== '') makeDirectory(dirname(options.path));
      const db = new Database(options.path);
      try {
        db.pragma('journal_mode = WAL');
        db.pragma('busy_timeout = 5000');
        this.#createSchema(db);
      } catch (error) {
        db.close();
        throw error;
      }
      return db;
    });
  }

  /** Runs a driver call, turning its failure into a `CacheStoreError` naming the file and the operation. */
  #guard<T>(operation: string, work: () => T): T {
    try {
      return work();
    } catch (cause) {
      if (CacheStoreError.isInstance(cause) || VectorDimensionError.isInstance(cause)) throw cause;
      const storeCode = (cause as { code?: unknown })?.code;
      const code = typeof storeCode === 'string' ? storeCode : undefined;
      const retryable = code !== undefined && TRANSIENT.test(code);
      const advice = retryable
        ? 'the file is busy or could not be read; try again'
        : 'point the cache at another file, or delete this one if it is a cache you can lose';
      throw new CacheStoreError(
        this.#path,
        `cannot use "${this.#path}" as a SQLite cache store (${operation}${code ? `, ${code}` : ''}): ` +
          `${(cause as Error)?.message ?? String(cause)}; ${advice}`,
        { cause, operation, storeCode: code, retryable },
      );
    }
  }

  #createSchema(db: Database.Database): void {
    db.exec(`
      CREATE TABLE IF NOT EXISTS baton_cache_entries (
        id TEXT PRIMARY KEY, exact_key TEXT NOT NULL UNIQUE, partition TEXT NOT NULL, scope TEXT NOT NULL,
        tags TEXT NOT NULL, text TEXT NOT NULL, vector BLOB NOT NULL, chunks BLOB NOT NULL, chunk_count INTEGER NOT NULL,
        payload TEXT NOT NULL, created_at INTEGER NOT NULL, last_access_at INTEGER NOT NULL, expires_at INTEGER,
        sliding_ttl_ms INTEGER, blocked INTEGER NOT NULL, bytes INTEGER NOT NULL, embedder TEXT NOT NULL,
        dimension INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS baton_cache_partition ON baton_cache_entries (partition);
      CREATE INDEX IF NOT EXISTS baton_cache_scope ON baton_cache_entries (scope);
      CREATE INDEX IF NOT EXISTS baton_cache_lru ON baton_cache_entries (last_access_at);
      CREATE TABLE IF NOT EXISTS baton_cache_tags (tag TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (tag, id));
      CREATE TABLE IF NOT EXISTS baton_cache_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
    const columns = (db.pragma('table_info(baton_cache_entries)') as { name: string }[]).map((c) => c.name);
    if (!columns.includes('embedder')) this.#addEmbedderColumns(db);
  }

  /** Files written before entries recorded their embedder: the store-wide record (`id|dimension`) applies to each. */
  #addEmbedderColumns(db: Database.Database): void {
    const stored = db.prepare("SELECT value FROM baton_cache_meta WHERE key = 'embedder'").get() as
      | { value: string }
      | undefined;
    // The dimension is the last field: an embedder id may itself hold a `|`.
    const at = stored?.value.lastIndexOf('|') ?? -1;
    const [id, dimension] = stored && at >= 0 ? [stored.value.slice(0, at), stored.value.slice(at + 1)] : ['', '0'];
    db.transaction(() => {
      db.exec("ALTER TABLE baton_cache_entries ADD COLUMN embedder TEXT NOT NULL DEFAULT ''");
      db.exec('ALTER TABLE baton_cache_entries ADD COLUMN dimension INTEGER NOT NULL DEFAULT 0');
      db.prepare('UPDATE baton_cache_entries SET embedder = ?, dimension = ?').run(id, Number(dimension));
    })();
  }

  #toEntry(row: Row | undefined): CacheEntry | undefined {
    if (!row) return undefined;
    const vector = vectorFromBytes(row.vector);
    const all = vectorFromBytes(row.chunks);
    const size = vector.length;
    return {
      id: row.id,
      exactKey: row.exact_key,
      partition: row.partition,
      scope: row.scope,
      embedder: row.embedder,
      dimension: row.dimension,
      tags: JSON.parse(row.tags) as string[],
      text: row.text,
      vector,
      chunks: Array.from({ length: row.chunk_count }, (_, i) => all.slice(i * size, (i + 1) * size)),
      payload: row.payload,
      createdAt: row.created_at,
      lastAccessAt: row.last_access_at,
      expiresAt: row.expires_at,
      slidingTtlMs: row.sliding_ttl_ms,
      blocked: row.blocked === 1,
      bytes: row.bytes,
    };
  }

  async get(id: string) {
    return this.#guard('get', () => {
      return this.#toEntry(
        this.#db.prepare('SELECT * FROM baton_cache_entries WHERE id = ?').get(id) as Row | undefined,
      );
    });
  }

  async getByExactKey(exactKey: string) {
    return this.#guard('getByExactKey', () => {
      const row = this.#db.prepare('SELECT * FROM baton_cache_entries WHERE exact_key = ?').get(exactKey) as
        | Row
        | undefined;
      return this.#toEntry(row);
    });
  }

  async put(entry: CacheEntry): Promise<void> {
    return this.#guard('put', () => {
      assertEntryDimension(entry);
      const chunks = Buffer.concat(entry.chunks.map(bytesOf));
      this.#db.transaction(() => {
        const old = this.#db
          .prepare('SELECT id FROM baton_cache_entries WHERE id = ? OR exact_key = ?')
          .all(entry.id, entry.exactKey) as { id: string }[];
        for (const { id } of old) this.#deleteOne(id);
        this.#db
          .prepare(
            `INSERT INTO baton_cache_entries (id, exact_key, partition, scope, tags, text, vector, chunks, chunk_count,
             payload, created_at, last_access_at, expires_at, sliding_ttl_ms, blocked, bytes, embedder, dimension)
             VALUES (@id, @exactKey, @partition, @scope, @tags, @text, @vector, @chunks, @chunkCount, @payload,
             @createdAt, @lastAccessAt, @expiresAt, @slidingTtlMs, @blocked, @bytes, @embedder, @dimension)`,
          )
          .run({
            ...entry,
            tags: JSON.stringify(entry.tags),
            vector: bytesOf(entry.vector),
            chunks,
            chunkCount: entry.chunks.length,
            blocked: entry.blocked ? 1 : 0,
          });
        const tag = this.#db.prepare('INSERT OR IGNORE INTO baton_cache_tags (tag, id) VALUES (?, ?)');
        for (const name of entry.tags) tag.run(name, entry.id);
      })();
    });
  }

  async touch(id: string, lastAccessAt: number, expiresAt: number | null): Promise<void> {
    return this.#guard('touch', () => {
      this.#db
        .prepare('UPDATE baton_cache_entries SET last_access_at = ?, expires_at = ? WHERE id = ?')
        .run(lastAccessAt, expiresAt, id);
    });
  }

  #deleteOne(id: string): number {
    this.#db.prepare('DELETE FROM baton_cache_tags WHERE id = ?').run(id);
    return this.#db.prepare('DELETE FROM baton_cache_entries WHERE id = ?').run(id).changes;
  }

  async delete(ids: readonly string[]): Promise<number> {
    return this.#guard('delete', () => {
      return this.#db.transaction(() => ids.reduce((n, id) => n + this.#deleteOne(id), 0))();
    });
  }

  async idsByTag(tag: string): Promise<string[]> {
    return this.#guard('idsByTag', () => {
      return (this.#db.prepare('SELECT id FROM baton_cache_tags WHERE tag = ?').all(tag) as { id: string }[]).map(
        (r) => r.id,
      );
    });
  }

  async idsByScope(scope: string): Promise<string[]> {
    return this.#guard('idsByScope', () => {
      const rows = this.#db.prepare('SELECT id FROM baton_cache_entries WHERE scope = ?').all(scope) as {
        id: string;
      }[];
      return rows.map((r) => r.id);
    });
  }

  async vectorsSince(partition: string, cursor: string | number | undefined): Promise<VectorLogPage> {
    return this.#guard('vectorsSince', () => {
      const after = typeof cursor === 'number' ? cursor : 0;
      const rows = this.#db
        .prepare('SELECT rowid, id, vector FROM baton_cache_entries WHERE partition = ? AND rowid > ? ORDER BY rowid')
        .all(partition, after) as { rowid: number; id: string; vector: Buffer }[];
      return {
        items: rows.map((row) => ({ id: row.id, vector: vectorFromBytes(row.vector) })),
        cursor: rows.length > 0 ? rows[rows.length - 1]!.rowid : after,
      };
    });
  }

  async leastRecentlyUsed(limit: number): Promise<string[]> {
    return this.#guard('leastRecentlyUsed', () => {
      const rows = this.#db
        .prepare('SELECT id FROM baton_cache_entries ORDER BY last_access_at, rowid LIMIT ?')
        .all(limit) as { id: string }[];
      return rows.map((r) => r.id);
    });
  }

  async stats() {
    return this.#guard('stats', () => {
      const row = this.#db
        .prepare('SELECT COUNT(*) AS entries, COALESCE(SUM(bytes), 0) AS bytes FROM baton_cache_entries')
        .get() as {
        entries: number;
        bytes: number;
      };
      return { entries: row.entries, bytes: row.bytes };
    });
  }

  async getMeta(key: string) {
    return this.#guard('getMeta', () => {
      const row = this.#db.prepare('SELECT value FROM baton_cache_meta WHERE key = ?').get(key) as
        | { value: string }
        | undefined;
      return row?.value;
    });
  }

  async setMeta(key: string, value: string) {
    return this.#guard('setMeta', () => {
      this.#db.prepare('INSERT OR REPLACE INTO baton_cache_meta (key, value) VALUES (?, ?)').run(key, value);
    });
  }

  async clear() {
    return this.#guard('clear', () => {
      this.#db.exec('DELETE FROM baton_cache_entries; DELETE FROM baton_cache_tags; DELETE FROM baton_cache_meta;');
    });
  }

  async close() {
    this.#db.close();
  }
}
