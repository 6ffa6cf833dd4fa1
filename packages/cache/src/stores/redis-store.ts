/**
 * A Redis store (ioredis), shared between processes. Entries are JSON strings (vectors as base64), never a
 * code-executing format; each records its embedder id and dimension. Layout under `keyPrefix`: `e:<id>` entry JSON,
 * `x:<exactKey>` → id, `log:<partition>` list of added ids (the vector log), `tag:<tag>` and `scope:<scope>` sets,
 * `lru` sorted set by last access, `bytes`.
 *
 * A cache must not hold up the calls it serves: once the server cannot be reached, every operation fails at once with
 * a retryable `CacheStoreError` (`enhance()` then calls the model without the cache and counts a cache failure), and
 * the client reconnects in the background. An attempt to connect gives up after 2 s, a command after 5 s. ioredis's
 * defaults would queue each command through 20 reconnection attempts — over a minute a call — and print every failed
 * attempt as an unhandled error.
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
/** Longest wait for one attempt to connect, in ms. */
const CONNECT_TIMEOUT_MS = 2000;
/** Longest wait for a command's answer, in ms. */
const COMMAND_TIMEOUT_MS = 5000;
/** Entries read by one MGET. */
const MGET_PAGE = 1000;
/** What ioredis throws when the connection, not the command, failed. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);

function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: string }).code;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    error.message === 'Connection is closed.' ||
    error.message === 'Command timed out' ||
    (code !== undefined && CONNECTION_CODES.has(code))
  );
}

/**
 * ioredis is an optional peer dependency, loaded when a store opens its own connection. A command waits for the first
 * connection, and gives up after one failed attempt instead of twenty.
 */
function newRedis(url: string): Redis {
  const driver = requireOptional<typeof import('ioredis')>('ioredis', 'the Redis cache store', import.meta.url);
  return new driver.Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: 1,
    // A host that drops packets answers nothing: an attempt gives up after this, not ioredis's 10 s.
    connectTimeout: CONNECT_TIMEOUT_MS,
    // A server that takes connections and never answers holds no call for longer than this.
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: (times) => Math.min(times * 100, MAX_RECONNECT_DELAY_MS),
  });
}

/** Client states in which a command would wait for a server that did not answer: it fails at once instead. */
const UNREACHABLE = new Set(['reconnecting', 'close', 'end']);
/** States in which QUIT would be answered. */
const CONNECTED = new Set(['ready', 'connect']);

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
  /** A connection ended (or an attempt failed) since the client was last ready: a new attempt is not waited for. */
  #lost = false;

  constructor(options: RedisStoreOptions = {}) {
    const url = options.url ?? 'redis://127.0.0.1:6379';
    this.#client = options.client ?? newRedis(url);
    this.#ownsClient = options.client === undefined;
    this.#prefix = options.keyPrefix ?? 'baton:cache:';
    this.#location = maskPassword(options.client === undefined ? url : describeClient(options.client));
    this.#client.on('ready', () => {
      this.#lost = false;
      this.#lastError = undefined;
    });
    this.#client.on('close', () => {
      this.#lost = true;
    });
    // Listened to, a failed attempt of the store's own client is not printed as an unhandled error event; it is kept
    // for the next refusal. A client given is the caller's to listen to.
    if (this.#ownsClient) {
      this.#client.on('error', (error: Error & { code?: string }) => {
        this.#lastError = error;
      });
    }
  }

  /** A retryable `CacheStoreError` that the server cannot be reached, naming it and why when known. */
  #unreachable(operation: string, cause?: unknown): CacheStoreError {
    const last = this.#lastError ?? (cause instanceof Error ? (cause as Error & { code?: string }) : undefined);
    const why = last === undefined ? '' : ` (${last.message})`;
    return new CacheStoreError(
      this.#location,
      `the Redis server at ${this.#location} cannot be reached${why}; the cache is skipped until it answers again`,
      { operation, retryable: true, cause, ...(last?.code ? { storeCode: last.code } : {}) },
    );
  }

  /**
   * Runs `work` with the client: at once a `CacheStoreError` when the server was lost and is not back (the first
   * attempt to connect is waited for), and the driver's connection failures as that error too.
   */
  async #run<T>(operation: string, work: (redis: Redis) => Promise<T>): Promise<T> {
    const status = this.#client.status;
    if (UNREACHABLE.has(status) || (this.#lost && status !== 'ready')) throw this.#unreachable(operation);
    try {
      return await work(this.#client);
    } catch (error) {
      throw isConnectionFailure(error) ? this.#unreachable(operation, error) : error;
    }
  }

  #key(...parts: string[]): string {
    return this.#prefix + parts.join(':');
  }

  async get(id: string): Promise<CacheEntry | undefined> {
    const json = await this.#run('get', (redis) => redis.get(this.#key('e', id)));
    return json === null ? undefined : entryFromJson(json);
  }

  async getByExactKey(exactKey: string): Promise<CacheEntry | undefined> {
    const id = await this.#run('getByExactKey', (redis) => redis.get(this.#key('x', exactKey)));
    return id === null ? undefined : this.get(id);
  }

  async put(entry: CacheEntry): Promise<void> {
    assertEntryDimension(entry);
    const previous = await this.#run('put', (redis) => redis.get(this.#key('x', entry.exactKey)));
    await this.delete(previous === null || previous === entry.id ? [entry.id] : [entry.id, previous]);
    await this.#run('put', (redis) => {
      const multi = redis.multi();
      multi.set(this.#key('e', entry.id), entryToJson(entry));
      multi.set(this.#key('x', entry.exactKey), entry.id);
      multi.rpush(this.#key('log', entry.partition), entry.id);
      for (const tag of entry.tags) multi.sadd(this.#key('tag', tag), entry.id);
      multi.sadd(this.#key('scope', entry.scope), entry.id);
      multi.zadd(this.#key('lru'), entry.lastAccessAt, entry.id);
      multi.incrby(this.#key('bytes'), entry.bytes);
      return multi.exec();
    });
  }

  async touch(id: string, lastAccessAt: number, expiresAt: number | null): Promise<void> {
    const entry = await this.get(id);
    if (!entry) return;
    await this.#run('touch', (redis) =>
      redis
        .multi()
        .set(this.#key('e', id), entryToJson({ ...entry, lastAccessAt, expiresAt }))
        .zadd(this.#key('lru'), lastAccessAt, id)
        .exec(),
    );
  }

  async delete(ids: readonly string[]): Promise<number> {
    let deleted = 0;
    for (const id of ids) {
      const entry = await this.get(id);
      if (!entry) continue;
      await this.#run('delete', (redis) => {
        const multi = redis.multi();
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
        return multi.exec();
      });
      deleted++;
    }
    return deleted;
  }

  async idsByTag(tag: string): Promise<string[]> {
    return this.#run('idsByTag', (redis) => redis.smembers(this.#key('tag', tag)));
  }

  async idsByScope(scope: string): Promise<string[]> {
    return this.#run('idsByScope', (redis) => redis.smembers(this.#key('scope', scope)));
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
      const atPosition = await this.#run('vectorsSince', (redis) => redis.lindex(key, position - 1));
      start = atPosition === lastId ? position : 0;
    }
    const ids = await this.#run('vectorsSince', (redis) => redis.lrange(key, start, -1));
    if (ids.length === 0) return { items: [], cursor: cursor ?? `0:` };
    // In pages, so a long log is many short commands, none near the command timeout.
    const jsons: (string | null)[] = [];
    for (let at = 0; at < ids.length; at += MGET_PAGE) {
      const page = ids.slice(at, at + MGET_PAGE).map((id) => this.#key('e', id));
      jsons.push(...(await this.#run('vectorsSince', (redis) => redis.mget(page))));
    }
    const items = jsons.flatMap((json, i) =>
      json === null ? [] : [{ id: ids[i]!, vector: entryFromJson(json).vector }],
    );
    return { items, cursor: `${start + ids.length}:${ids[ids.length - 1]}` };
  }

  async leastRecentlyUsed(limit: number): Promise<string[]> {
    return this.#run('leastRecentlyUsed', (redis) => redis.zrange(this.#key('lru'), '0', String(limit - 1)));
  }

  async stats(): Promise<{ entries: number; bytes: number }> {
    const [entries, bytes] = await this.#run('stats', (redis) =>
      Promise.all([redis.zcard(this.#key('lru')), redis.get(this.#key('bytes'))]),
    );
    return { entries, bytes: Number(bytes ?? 0) };
  }

  async getMeta(key: string): Promise<string | undefined> {
    return (await this.#run('getMeta', (redis) => redis.hget(this.#key('meta'), key))) ?? undefined;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.#run('setMeta', (redis) => redis.hset(this.#key('meta'), key, value));
  }

  /** Deletes every key under the prefix (SCAN, never KEYS); the prefix is matched literally. */
  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.#run('clear', (redis) =>
        redis.scan(cursor, 'MATCH', `${globEscape(this.#prefix)}*`, 'COUNT', '500'),
      );
      cursor = next;
      if (keys.length > 0) await this.#run('clear', (redis) => redis.del(...keys));
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    if (!this.#ownsClient) return;
    // QUIT would wait for a server that is not there (or not yet).
    if (!CONNECTED.has(this.#client.status)) this.#client.disconnect();
    else await this.#client.quit().catch(() => this.#client.disconnect());
  }
}

function describeClient(client: Redis): string {
  const { host, port, db } = client.options;
  return `redis://${host ?? '127.0.0.1'}:${port ?? 6379}/${db ?? 0}`;
}
