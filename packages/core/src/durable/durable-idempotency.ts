/**
 * Idempotency keys kept in the run store, so a key repeated in another process or after a restart returns the first
 * result. Calls in flight are shared through an in-memory layer (as `createMemoryIdempotencyStore` does); a key this
 * process has not seen is looked up in the store, and a call that succeeds is written back. Only successes are kept:
 * a failed call frees its key, as in memory.
 */
import { createMemoryIdempotencyStore, type IdempotencyStore } from '../run/idempotency-store.js';
import type { RunStore } from '../storage/run-store.js';

export interface StoreIdempotencyOptions {
  /** How long a result is kept, in the store and in memory. @default 86400000 (one day) */
  ttlMs?: number;
  /** Keys kept in this process's memory layer. @default 10000 */
  maxEntries?: number;
  /** Called when a result cannot be written to the store (the call's result is returned regardless). */
  onError?: (error: unknown) => void;
}

/** Keys are namespaced in `baton_idempotency`, which other features may share. */
const PREFIX = 'step:';

/** What a lookup that found nothing rejects with: to the step executor, a key whose earlier call failed. */
class NotRecorded extends Error {}

/**
 * @example
 * const store = await openStore();
 * const engine = createEngine({ registry, store, idempotency: createStoreIdempotencyStore(store) });
 */
export function createStoreIdempotencyStore(
  store: Pick<RunStore, 'getIdempotent' | 'putIdempotent'>,
  options: StoreIdempotencyOptions = {},
): IdempotencyStore {
  const ttlMs = options.ttlMs ?? 86_400_000;
  const memory = createMemoryIdempotencyStore({ ttlMs, maxEntries: options.maxEntries });
  /** Keys the store had no result for: the next `get` reports them free, so the caller does the work. */
  const missed = new Set<string>();
  return {
    get(key) {
      const known = memory.get(key);
      if (known) return known;
      if (missed.has(key)) return undefined;
      // Shared by concurrent callers; a miss rejects and the memory layer forgets it.
      const lookup = store.getIdempotent(PREFIX + key).then(
        (found) => {
          if (found !== undefined) return found.value;
          missed.add(key);
          throw new NotRecorded(key);
        },
        (error) => {
          missed.add(key);
          throw error;
        },
      );
      memory.set(key, lookup);
      return lookup;
    },
    set(key, result) {
      missed.delete(key);
      memory.set(key, result);
      result.then(
        (value) => store.putIdempotent(PREFIX + key, value, ttlMs).catch((error) => options.onError?.(error)),
        () => {},
      );
    },
    delete(key) {
      memory.delete(key);
    },
  };
}
