/**
 * Claims, leases and wake-ups in the memory store, with the SQL stores' rules: what is claimable (ready runs, owned
 * runs whose lease expired, waiting runs that are due), oldest first; lease renewal reporting lost runs and pending
 * cancel requests; and waking a run (a waiting one becomes ready, an owned one parks as ready).
 */
import type { RunsTable } from './database-schema.js';
import type { MemoryTables } from './memory-tables.js';
import type { LeaseRenewal } from './run-store.js';

export const OWNED: readonly string[] = ['running', 'compensating'];
export const WAKEABLE: readonly string[] = ['waiting', ...OWNED];

/** Ready runs, owned runs whose lease expired, waiting runs that are due; with `ownedBy`, also that owner's runs. */
function isClaimable(run: RunsTable, now: number, ownedBy: string | undefined): boolean {
  if (run.status === 'ready') return true;
  if (run.status === 'waiting') return run.wake_at !== null && run.wake_at <= now;
  if (!OWNED.includes(run.status)) return false;
  return (
    (run.lease_expires_at !== null && run.lease_expires_at < now) || (ownedBy !== undefined && run.owner === ownedBy)
  );
}

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A waiting run becomes ready; an owned one is flagged so parking it makes it ready instead. */
export function wakeMemoryRun(run: RunsTable): void {
  if (run.status === 'waiting') {
    run.status = 'ready';
    run.wake_at = null;
  } else if (OWNED.includes(run.status)) {
    run.wake_requested = 1;
  }
}

/** The runs not finished yet (claims and wake times concern only these). */
function unfinished(tables: MemoryTables): RunsTable[] {
  const rows: RunsTable[] = [];
  for (const id of tables.unfinished) {
    const row = tables.runs.get(id);
    if (row !== undefined) rows.push(row);
  }
  return rows;
}

/** Takes up to `limit` claimable runs for `owner`, oldest first; returns the updated rows. */
export function claimMemoryRuns(
  tables: MemoryTables,
  owner: string,
  leaseMs: number,
  limit: number,
  includeOwn: boolean,
): RunsTable[] {
  const now = Date.now();
  const claimed = unfinished(tables)
    .filter((row) => isClaimable(row, now, includeOwn ? owner : undefined))
    .sort((a, b) => a.created_at - b.created_at || compareIds(a.id, b.id))
    .slice(0, limit);
  for (const row of claimed) {
    Object.assign(row, {
      status: row.status === 'compensating' ? 'compensating' : 'running',
      owner,
      lease_expires_at: now + leaseMs,
      wake_at: null,
      wake_requested: 0,
      updated_at: now,
    });
  }
  return claimed;
}

export function renewMemoryLeases(
  tables: MemoryTables,
  owner: string,
  runIds: readonly string[],
  leaseMs: number,
): LeaseRenewal {
  const cancelRequested = new Map<string, string>();
  const now = Date.now();
  const lost: string[] = [];
  for (const id of runIds) {
    const row = tables.runs.get(id);
    if (row === undefined || row.owner !== owner) {
      lost.push(id);
      continue;
    }
    row.lease_expires_at = now + leaseMs;
    row.updated_at = now;
    if (row.cancel_requested !== null) cancelRequested.set(id, row.cancel_requested);
  }
  return { lost, cancelRequested };
}

/** `now` when a run is claimable, else the earliest wake time or lease expiry; null when nothing is pending. */
export function nextMemoryClaimableAt(tables: MemoryTables, now: number): number | null {
  let next: number | null = null;
  for (const row of unfinished(tables)) {
    if (isClaimable(row, now, undefined)) return now;
    const at = row.status === 'waiting' ? row.wake_at : OWNED.includes(row.status) ? row.lease_expires_at : null;
    if (at !== null && (next === null || at < next)) next = at;
  }
  return next;
}
