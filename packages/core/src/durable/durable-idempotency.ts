/**
 * Idempotency keys kept in the run store, so a key repeated in another process or after a restart returns the first
 * result and the handler runs once. Calls in flight in this process are shared through an in-memory layer (as
 * `createMemoryIdempotencyStore` does); across processes a key is claimed in the store (owner + lease, renewed while
 * the call runs) before the handler is called: another holder waits for the stored result, or takes the key over once
 * the claim's lease lapses (its holder died). The first stored result wins. Only successes are kept: a failed call
 * releases its claim, as in memory.
 */
import { randomUUID } from 'node:crypto';
import { createMemoryIdempotencyStore, type IdempotencyStore } from '../run/idempotency-store.js';
import type { IdempotencyClaim, RunStore } from '../storage/run-store.js';

export interface StoreIdempotencyOptions {
  /** How long a result is kept, in the store and in memory. @default 86400000 (one day) */
  ttlMs?: number;
  /** Keys kept in this process's memory layer. @default 10000 */
  maxEntries?: number;
  /** Who holds claims made here; the engine passes its `engineId`. @default a random id */
  owner?: string;
  /**
   * How long a claim lasts without renewal; it is renewed while the call runs, so this is how long other holders wait
   * after this process dies before they call the handler themselves. @default 30000
   */
  claimLeaseMs?: number;
  /** Longest pause between two looks at a key another holder computes. @default 500 */
  maxPollMs?: number;
  /** Called when the store cannot be read or written (the call goes on regardless). */
  onError?: (error: unknown) => void;
}

type ClaimingStore = Pick<
  RunStore,
  'getIdempotent' | 'putIdempotent' | 'claimIdempotent' | 'renewIdempotentClaim' | 'releaseIdempotent'
>;

/** Keys are namespaced in `baton_idempotency`, which other features may share. */
const PREFIX = 'step:';
const FIRST_POLL_MS = 20;

/** What a lookup that found no result rejects with: to the step executor, a key whose earlier call failed. */
class NotRecorded extends Error {}

/**
 * @example
 * const store = await openStore();
 * const engine = createEngine({ registry, store, idempotency: createStoreIdempotencyStore(store) });
 */
export function createStoreIdempotencyStore(
  store: ClaimingStore,
  options: StoreIdempotencyOptions = {},
): IdempotencyStore {
  const ttlMs = options.ttlMs ?? 86_400_000;
  const owner = options.owner ?? `idempotency-${randomUUID()}`;
  const leaseMs = options.claimLeaseMs ?? 30_000;
  const maxPollMs = options.maxPollMs ?? 500;
  const memory = createMemoryIdempotencyStore({ ttlMs, maxEntries: options.maxEntries });
  /** Keys claimed here (or unreadable in the store): the next `get` reports them free, so the caller does the work. */
  const free = new Set<string>();

  /** The stored result, or a claim for this process — after waiting out another holder's claim if need be. */
  async function acquire(key: string): Promise<IdempotencyClaim> {
    let pause = FIRST_POLL_MS;
    for (;;) {
      const claim = await store.claimIdempotent(PREFIX + key, owner, leaseMs, ttlMs);
      if (claim.state !== 'held') return claim;
      const untilLapse = Math.max(1, claim.leaseExpiresAt - Date.now());
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, untilLapse)));
      pause = Math.min(maxPollMs, pause * 2);
    }
  }

  return {
    get(key) {
      const known = memory.get(key);
      if (known) return known;
      if (free.has(key)) return undefined;
      // Shared by concurrent callers here; a rejection hands the work to the caller, and memory forgets it.
      const lookup = acquire(key).then(
        (claim) => {
          if (claim.state === 'stored') return claim.value;
          free.add(key);
          throw new NotRecorded(key);
        },
        (error) => {
          options.onError?.(error);
          free.add(key);
          throw error;
        },
      );
      memory.set(key, lookup);
      return lookup;
    },
    set(key, result) {
      free.delete(key);
      memory.set(key, result);
      const renewal = setInterval(
        () => void store.renewIdempotentClaim(PREFIX + key, owner, leaseMs).catch((error) => options.onError?.(error)),
        Math.max(10, Math.floor(leaseMs / 3)),
      );
      renewal.unref();
      result
        .then(
          (value) => store.putIdempotent(PREFIX + key, value, ttlMs),
          () => store.releaseIdempotent(PREFIX + key, owner),
        )
        .catch((error) => options.onError?.(error))
        .finally(() => clearInterval(renewal));
    },
    delete(key) {
      memory.delete(key);
    },
  };
}
