/**
 * A Redis store (ioredis), shared between processes. Entries are JSON strings (vectors as base64), never a
 * code-executing format; each records its embedder id and dimension. Layout under `keyPrefix`: `e:<id>` entry JSON,
 * `x:<exactKey>` → id, `log:<partition>` list of added ids (the vector log), `tag:<tag>` and `scope:<scope>` sets,
 * `lru` sorted set by last access, `bytes`.
 *
 * A cache must not hold up the calls it serves: while the server cannot be reached, every operation fails at once with
 * a retryable `CacheStoreError` (`enhance()` then calls the model without the cache and counts a cache failure), and
 * the client reconnects in the background. ioredis's defaults would queue each command through 20 reconnection
 * attempts — over a minute a call — and print every failed attempt as an unhandled error.
 */
import { maskPassword, requireOptional } from '@baton/core';
import type { Redis } from 'ioredis';
import { CacheStoreError } from '../errors.js';
import {
  assertEntryDimension,
  type CacheEntry,
  type CacheStore,
  entryFromJson,
  entryToJson,
  type VectorLogPage,
} from './cache-store.js';

/** A prefix as a literal in a SCAN pattern: `*`, `?`, `[`, `]` and `\\` would otherwise match other caches' keys. */
const globEscape = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');

/** Longest wait between two attempts to reconnect, in ms. */
const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * ioredis is an optional peer dependency, loaded when a store opens its own connection. A command waits for the first
 * connection, and gives up after one failed attempt instead of twenty.
 */
function newRedis(url: string): Redis {
  const driver = requireOptional<typeof import('ioredis')>('ioredis', 'the Redis cache store', import.meta.url);
  return new driver.Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 100, MAX_RECONNECT_DELAY_MS),
  });
}

/** Client states in which a command would wait for a server that did not answer: it fails at once instead. */
const UNREACHABLE = new Set(['reconnecting', 'close', 'end']);

export interface RedisStoreOptions {
  /** `redis://host:port/db`. @default 'redis://127.0.0.1:6379' */
  url?: string;
  /** Prefix of every key, so several caches can share one server. @default 'baton:cache:' */
  keyPrefix?: string;
  /** An existing client to use instead of `url`; it is not closed by `close()`. */
  client?: Redis;
}

export class RedisStore implements CacheStore {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #ownsClient: boolean;
  readonly #location: string;
  /** The last connection error, for the message of an operation refused while the server is unreachable. */
  #lastError: (Error & { code?: string }) | undefined;

  constructor(options: RedisStoreOptions = {}) {
    const url = options.url ?? 'redis://127.0.0.1:6379';
    this.#client = options.client ?? newRedis(url);
    this.#ownsClient = options.client === undefined;
    this.#prefix = options.keyPrefix ?? 'baton:cache:';
    this.#location = maskPassword(options.client === undefined ? url : describeClient(options.client));
    // Listened to, a failed attempt of the store's own client is not printed as an unhandled error event; it is kept
    // for the next refusal. A client given is the caller's to listen to.
    if (this.#ownsClient) {
      this.#client.on('error', (error: Error & { code?: string }) => {
        this.#lastError = error;
      });
      this.#client.on('ready', () => {
        this.#lastError = undefined;
      });
    }
  }

  /** The client, unless the server cannot be reached now: then a retryable `CacheStoreError`, at once. */
  get #redis(): Redis {
    const status = this.#client.status;
    if (!UNREACHABLE.has(status)) return this.#client;
    const why = this.#lastError === undefined ? '' : ` (${this.#lastError.message})`;
    throw new CacheStoreError(
      this.#location,
      `the Redis server at ${this.#location} cannot be reached${why}; the cache is skipped until it answers again`,
      { operation: status, retryable: true, ...(this.#lastError?.code ? { storeCode: this.#lastError.code } : {}) },
    );
  }

  #key(...parts: string[]): string {
    return this.#prefix + parts.join(':');
  }

  async get(id: string): Promise<CacheEntry | undefined> {
    const json = await this.#redis.get(this.#key('e', id));
    return json === null ? undefined : entryFromJson(json);
  }

  async getByExactKey(exactKey: string): Promise<CacheEntry | undefined> {
    const id = await this.#redis.get(this.#key('x', exactKey));
    return id === null ? undefined : this.get(id);
  }

  async put(entry: CacheEntry): Promise<void> {
    assertEntryDimension(entry);
    const previous = await this.#redis.get(this.#key('x', entry.exactKey));
    await this.delete(previous === null || previous === entry.id ? [entry.id] : [entry.id, previous]);
    const multi = this.#redis.multi();
    multi.set(this.#key('e', entry.id), entryToJson(entry));
    multi.set(this.#key('x', entry.exactKey), entry.id);
    multi.rpush(this.#key('log', entry.partition), entry.id);
    for (const tag of entry.tags) multi.sadd(this.#key('tag', tag), entry.id);
    multi.sadd(this.#key('scope', entry.scope), entry.id);
    multi.zadd(this.#key('lru'), entry.lastAccessAt, entry.id);
    multi.incrby(this.#key('bytes'), entry.bytes);
    await multi.exec();
  }

  async touch(id: string, lastAccessAt: number, expiresAt: number | null): Promise<void> {
    const entry = await this.get(id);
    if (!entry) return;
    await this.#redis
      .multi()
      .set(this.#key('e', id), entryToJson({ ...entry, lastAccessAt, expiresAt }))
      .zadd(this.#key('lru'), lastAccessAt, id)
      .exec();
  }

  async delete(ids: readonly string[]): Promise<number> {
    let deleted = 0;
    for (const id of ids) {
      const entry = await this.get(id);
      if (!entry) continue;
      const multi = this.#redis.multi();
      multi.del(this.#key('e', id));
      multi.eval(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
        1,
        this.#key('x', entry.exactKey),
        id,
      );
      multi.lrem(this.#key('log', entry.partition), 0, id);
      for (const tag of entry.tags) multi.srem(this.#key('tag', tag), id);
      multi.srem(this.#key('scope', entry.scope), id);
      multi.zrem(this.#key('lru'), id);
      multi.decrby(this.#key('bytes'), entry.bytes);
      await multi.exec();
      deleted++;
    }
    return deleted;
  }

  async idsByTag(tag: string): Promise<string[]> {
    return this.#redis.smembers(this.#key('tag', tag));
  }

  async idsByScope(scope: string): Promise<string[]> {
    return this.#redis.smembers(this.#key('scope', scope));
  }

  /**
   * Reads the partition's id log from the last position read. Deletions shorten the log (LREM), so the cursor also
   * remembers the id it stopped at; if that id moved, the whole log is re-read (re-adding is idempotent).
   */
  async vectorsSince(partition: string, cursor: string | number | undefined): Promise<VectorLogPage> {
    const key = this.#key('log', partition);
    let start = 0;
    if (typeof cursor === 'string') {
      const [position, lastId] = [Number(cursor.slice(0, cursor.indexOf(':'))), cursor.slice(cursor.indexOf(':') + 1)];
      const atPosition = await this.#redis.lindex(key, position - 1);
      start = atPosition === lastId ? position : 0;
    }
    const ids = await this.#redis.lrange(key, start, -1);
    if (ids.length === 0) return { items: [], cursor: cursor ?? `0:` };
    const jsons = await this.#redis.mget(ids.map((id) => this.#key('e', id)));
    const items = jsons.flatMap((json, i) =>
      json === null ? [] : [{ id: ids[i]!, vector: entryFromJson(json).vector }],
    );
    return { items, cursor: `${start + ids.length}:${ids[ids.length - 1]}` };
  }

  async leastRecentlyUsed(limit: number): Promise<string[]> {
    return this.#redis.zrange(this.#key('lru'), '0', String(limit - 1));
  }

  async stats(): Promise<{ entries: number; bytes: number }> {
    const [entries, bytes] = await Promise.all([
      this.#redis.zcard(this.#key('lru')),
      this.#redis.get(this.#key('bytes')),
    ]);
    return { entries, bytes: Number(bytes ?? 0) };
  }

  async getMeta(key: string): Promise<string | undefined> {
    return (await this.#redis.hget(this.#key('meta'), key)) ?? undefined;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.#redis.hset(this.#key('meta'), key, value);
  }

  /** Deletes every key under the prefix (SCAN, never KEYS); the prefix is matched literally. */
  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.#redis.scan(cursor, 'MATCH', `${globEscape(this.#prefix)}*`, 'COUNT', '500');
      cursor = next;
      if (keys.length > 0) await this.#redis.del(...keys);
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    if (!this.#ownsClient) return;
    // QUIT would wait for a server that is not there.
    if (UNREACHABLE.has(this.#client.status)) this.#client.disconnect();
    else await this.#client.quit().catch(() => this.#client.disconnect());
  }
}

function describeClient(client: Redis): string {
  const { host, port, db } = client.options;
  return `redis://${host ?? '127.0.0.1'}:${port ?? 6379}/${db ?? 0}`;
}
