/** Durable storage for runs: the RunStore contract, `openStore` for SQLite and PostgreSQL, and its errors. */
export { type OpenStoreOptions, openStore, STORE_DEFAULTS } from './open-store.js';
export * from './run-store.js';
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
