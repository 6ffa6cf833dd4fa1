/**
 * Durable storage for runs: the RunStore contract, `openStore` for SQLite, PostgreSQL and memory, `createMemoryStore`,
 * and their errors.
 */
export { canonicalJson } from './canonical-json.js';
export { createMemoryStore } from './create-memory-store.js';
export type { ApprovalsTable, FailedCompensationsTable } from './database-schema.js';
export { groupedSqliteDialect } from './grouped-sqlite-dialect.js';
export { makeDirectory } from './make-directory.js';
export type { MemoryRunStore, MemoryStoreOptions } from './memory-run-store.js';
export { type OpenStoreOptions, openStore, STORE_DEFAULTS } from './open-store.js';
export { preparedStatementPool, StatementNames } from './prepared-statement-pool.js';
export { queryTemplate, type TemplateValue } from './query-template.js';
export { toFailedCompensation, toStoredApproval } from './row-mapping.js';
export * from './run-store.js';
export { sharedSqliteDialect } from './shared-sqlite-dialect.js';
export {
  ApprovalExpiredError,
  DuplicateApprovalError,
  DuplicateRunError,
  LeaseLostError,
  StorageCorruptError,
  StorageForeignError,
  StorageTooNewError,
  StorageUnreachableError,
  UnsupportedStoreUrlError,
} from './storage-errors.js';
export { maskPassword, parseStoreLocation, type StoreLocation } from './store-location.js';
export { WriteBatcher, type WriteBatcherOptions } from './write-batcher.js';
