/**
 * `createMemoryStore()`: a durable-execution store that lives in this process's memory (also `openStore({ url:
 * 'memory:' })`). Runs park, resume, wait for approvals, compensate and are journaled with a verifiable hash chain
 * exactly as with SQLite or PostgreSQL, and engines sharing the store take over each other's runs — but nothing
 * survives the process. Pure JavaScript: it needs neither `better-sqlite3` nor `pg`.
 *
 * @example
 * ```ts
 * const store = createMemoryStore();
 * const engine = createEngine({ registry, store });
 * const worker = createEngine({ registry, store }); // claims what `engine.submit()` stores
 * await worker.start();
 * ```
 */
import { requireArgument } from '../errors/require-argument.js';
import { MemoryRunStore, type MemoryStoreOptions } from './memory-run-store.js';
import { MemoryTables } from './memory-tables.js';
import { STORE_DEFAULTS } from './store-defaults.js';

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  const ok = typeof chosen === 'number' && Number.isFinite(chosen) && chosen >= 0;
  requireArgument('createMemoryStore', name, ok, 'a non-negative number', value);
  return chosen;
}

export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryRunStore {
  requireArgument(
    'createMemoryStore',
    'options',
    typeof options === 'object' && options !== null,
    'an object',
    options,
  );
  return new MemoryRunStore(new MemoryTables(), {
    blobThresholdBytes: nonNegative(
      'blobThresholdBytes',
      options.blobThresholdBytes,
      STORE_DEFAULTS.blobThresholdBytes,
    ),
    retentionMs: nonNegative('retentionMs', options.retentionMs, STORE_DEFAULTS.retentionMs),
  });
}
