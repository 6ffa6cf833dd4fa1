/**
 * Idempotency keys in the memory store, with the SQL stores' rules: the first result stored under a key wins and is
 * never overwritten while it lives, and a holder claims a key (owner + lease) before it computes the result, so other
 * holders wait for that result — or take the key over once the claim lapses.
 */
import type { MemoryTables } from './memory-tables.js';
import { fromJsonText, toJsonText } from './row-mapping.js';
import type { IdempotencyClaim } from './run-store.js';

export function getMemoryIdempotent(tables: MemoryTables, key: string): { value: unknown } | undefined {
  const row = tables.idempotency.get(key);
  if (row === undefined || row.expires_at <= Date.now() || row.claim_owner !== null) return undefined;
  return { value: fromJsonText(row.value) };
}

/** Stores a result unless one is stored already; returns the result that stays (the first). */
export function putMemoryIdempotent(
  tables: MemoryTables,
  key: string,
  value: unknown,
  ttlMs: number,
): { value: unknown } {
  const now = Date.now();
  const text = toJsonText(value);
  const row = tables.idempotency.get(key);
  // Only a claim (anyone's: the first to finish wins) or an expired row gives way; a stored result never does.
  if (row === undefined || row.claim_owner !== null || row.expires_at <= now) {
    tables.idempotency.set(key, {
      key,
      value: text,
      expires_at: now + ttlMs,
      claim_owner: null,
      claim_expires_at: null,
    });
  }
  return getMemoryIdempotent(tables, key) ?? { value };
}

export function claimMemoryIdempotent(
  tables: MemoryTables,
  key: string,
  owner: string,
  leaseMs: number,
  ttlMs: number,
): IdempotencyClaim {
  const now = Date.now();
  const row = tables.idempotency.get(key);
  // Free to take: no row, an expired row, a lapsed claim, or a claim this owner holds already.
  const free =
    row === undefined ||
    row.expires_at <= now ||
    (row.claim_owner !== null && (row.claim_expires_at ?? 0) <= now) ||
    row.claim_owner === owner;
  if (free) {
    tables.idempotency.set(key, {
      key,
      value: null,
      expires_at: now + ttlMs,
      claim_owner: owner,
      claim_expires_at: now + leaseMs,
    });
    return { state: 'claimed' };
  }
  if (row.claim_owner === null) return { state: 'stored', value: fromJsonText(row.value) };
  return { state: 'held', owner: row.claim_owner, leaseExpiresAt: row.claim_expires_at ?? now };
}

export function renewMemoryIdempotentClaim(tables: MemoryTables, key: string, owner: string, leaseMs: number): boolean {
  const row = tables.idempotency.get(key);
  if (row === undefined || row.claim_owner !== owner) return false;
  row.claim_expires_at = Date.now() + leaseMs;
  return true;
}

/** Drops `owner`'s claim (its call failed): the next holder computes the result. */
export function releaseMemoryIdempotent(tables: MemoryTables, key: string, owner: string): void {
  if (tables.idempotency.get(key)?.claim_owner === owner) tables.idempotency.delete(key);
}
