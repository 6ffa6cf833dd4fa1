/**
 * Retention for the memory store, with the SQL stores' rules: finished runs older than the cut-off go with their
 * journal, approvals and failed compensations; expired idempotency results go; blobs nothing references any more go,
 * unless written or reused in the last hour (or within `olderThanMs`, if shorter). Unfinished runs are never deleted.
 */
import type { MemoryTables } from './memory-tables.js';
import { FINISHED_STATUSES } from './run-store.js';

const BLOB_GRACE_MS = 3_600_000;

export function purgeMemory(
  tables: MemoryTables,
  olderThanMs: number,
  now: number,
): { runs: number; blobs: number; idempotency: number } {
  const cutOff = now - olderThanMs;
  let runs = 0;
  for (const run of [...tables.runs.values()]) {
    const finished = FINISHED_STATUSES.includes(run.status as (typeof FINISHED_STATUSES)[number]);
    if (finished && run.finished_at !== null && run.finished_at <= cutOff) {
      tables.deleteRun(run.id);
      runs++;
    }
  }
  let idempotency = 0;
  for (const [key, row] of tables.idempotency) {
    if (row.expires_at > now) continue;
    tables.idempotency.delete(key);
    idempotency++;
  }
  const referenced = new Set<string>();
  for (const rows of tables.journal.values())
    for (const row of rows) for (const hash of row.blobs) referenced.add(hash);
  const blobCutOff = now - Math.min(olderThanMs, BLOB_GRACE_MS);
  let blobs = 0;
  for (const [hash, blob] of tables.blobs) {
    if (blob.created_at > blobCutOff || referenced.has(hash)) continue;
    tables.blobs.delete(hash);
    blobs++;
  }
  return { runs, blobs, idempotency };
}
