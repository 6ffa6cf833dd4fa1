/**
 * @baton/core — Baton's runtime: register agents, services and tools; validate plans; run them in parallel with
 * retries, breakers, idempotency, budgets, evidence bundles and streamed events.
 */
export * from './budget/index.js';
export * from './coordinator/index.js';
export * from './durable/index.js';
export { locksFromJournal, VERSION_LOCK_ENTRY } from './durable/journaled-versions.js';
export * from './engine/index.js';
export * from './errors/index.js';
export * from './events/index.js';
export * from './evidence/index.js';
export * from './ids/index.js';
export * from './plan/index.js';
// Versioned targets (locks, migrations) and batched targets.
export { type BatchSettings, batchedHandler, splitUsage } from './registry/batch-loader.js';
export * from './registry/index.js';
export { type LockedVersion, lockKeyOf, refLabel, type VersionLocks } from './registry/locked-version.js';
export {
  type MigrationDefinition,
  migrateInput,
  migrateOutput,
  type RegisteredMigration,
  type TargetRoute,
} from './registry/migrations.js';
export type { BatchContext, BatchHandler, BatchOptions } from './registry/target.js';
export * from './resilience/index.js';
export * from './run/index.js';
export { type LockedRoute, VersionLock } from './run/version-lock.js';
export * from './schema/index.js';
export * from './storage/index.js';
