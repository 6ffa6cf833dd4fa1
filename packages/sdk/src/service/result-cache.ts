/**
 * Remembers successful outputs by idempotency key, so a step the server sends again under a new task id (after the
 * server restarted, say) is answered without running the handler twice. The default keeps entries in memory for
 * 24 hours, dropping the oldest past `maxEntries`; plug in a shared store to survive restarts of the service.
 *
 * @example
 * createService({ …, resultCache: memoryResultCache({ maxEntries: 50_000 }) });
 */

export interface CachedResult {
  output: unknown;
}

export interface ResultCache {
  get(idempotencyKey: string): Promise<CachedResult | undefined>;
  set(idempotencyKey: string, result: CachedResult, ttlMs: number): Promise<void>;
}

/**
 * `cache` as one service sees it: every key prefixed with the service's name, so services sharing one cache (a
 * shared store) never answer each other's tasks, even under an idempotency key a plan gave steps of both.
 */
export function serviceResultCache(cache: ResultCache, serviceName: string): ResultCache {
  const scoped = (key: string) => `${serviceName}:${key}`;
  return {
    get: (key) => cache.get(scoped(key)),
    set: (key, result, ttlMs) => cache.set(scoped(key), result, ttlMs),
  };
}

/** How long a success is remembered. */
export const RESULT_CACHE_TTL_MS = 24 * 60 * 60 * 1000;

export interface MemoryResultCacheOptions {
  /** @default 10_000 */
  maxEntries?: number;
  /** For tests. @default Date.now */
  now?: () => number;
}

export function memoryResultCache(options: MemoryResultCacheOptions = {}): ResultCache {
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { result: CachedResult; expiresAt: number }>();
  return {
    async get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (entry.expiresAt <= now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.result;
    },
    async set(key, result, ttlMs) {
      entries.delete(key);
      entries.set(key, { result, expiresAt: now() + ttlMs });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
  };
}
