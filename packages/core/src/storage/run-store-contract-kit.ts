/**
 * Shared pieces of the RunStore contract suite: the database fixture it needs and helpers to make runs. The suite
 * looks inside the stored data, and tampers with it, only through `StoredData`: SQL stores implement it with SQL
 * (`sqlStoredData`), the memory store on its tables.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { RunStore } from './run-store.js';

export interface ContractDatabase {
  /** Opens a store on this database; call it again for a second engine sharing the database. */
  open(): Promise<RunStore>;
  /** The stored data behind the stores' back, to look inside it or tamper with it. */
  stored: StoredData;
}

/** What the suite reads or changes directly in the stored data, as a bug or an attacker could. */
export interface StoredData {
  /** The stored `data` text (canonical JSON, blob references in place) of a run's journal entries, in seq order. */
  journalData(runId: string): Promise<string[]>;
  /** Overwrites fields of one stored journal entry. */
  alterJournalEntry(runId: string, seq: number, change: { data?: string; prevHash?: string }): Promise<void>;
  deleteJournalEntry(runId: string, seq: number): Promise<void>;
  countBlobs(): Promise<number>;
  /** Overwrites the content of every stored blob. */
  overwriteBlobs(content: string): Promise<void>;
}

/** `StoredData` over a SQL database, given a function that runs a statement and returns its rows. */
export function sqlStoredData(execute: (statement: string) => Promise<Record<string, unknown>[]>): StoredData {
  const text = (value: string) => `'${value.replaceAll("'", "''")}'`;
  return {
    async journalData(runId) {
      const rows = await execute(`SELECT data FROM baton_journal WHERE run_id = ${text(runId)} ORDER BY seq`);
      return rows.map((row) => String(row.data));
    },
    async alterJournalEntry(runId, seq, change) {
      const sets = [
        ...(change.data === undefined ? [] : [`data = ${text(change.data)}`]),
        ...(change.prevHash === undefined ? [] : [`prev_hash = ${text(change.prevHash)}`]),
      ];
      await execute(`UPDATE baton_journal SET ${sets.join(', ')} WHERE run_id = ${text(runId)} AND seq = ${seq}`);
    },
    async deleteJournalEntry(runId, seq) {
      await execute(`DELETE FROM baton_journal WHERE run_id = ${text(runId)} AND seq = ${seq}`);
    },
    async countBlobs() {
      const rows = await execute('SELECT count(*) AS n FROM baton_blobs');
      return Number(rows[0]?.n);
    },
    async overwriteBlobs(content) {
      await execute(`UPDATE baton_blobs SET content = ${text(content)}`);
    },
  };
}

export interface ContractContext {
  /** A fresh, empty database; its stores are closed after the test. */
  database(): Promise<ContractDatabase>;
}

export const LONG_LEASE = 60_000;

export function newRun(owner: string, overrides: { id?: string; idempotencyKey?: string; leaseMs?: number } = {}) {
  return {
    id: overrides.id ?? randomUUID(),
    plan: { steps: [{ id: 'a', target: 'echo' }] },
    request: { text: 'hello' },
    options: { maxParallel: 2 },
    owner,
    leaseMs: overrides.leaseMs ?? LONG_LEASE,
    ...(overrides.idempotencyKey === undefined ? {} : { idempotencyKey: overrides.idempotencyKey }),
  };
}

/** A run nobody owns that any engine may claim now. */
export async function readyRun(store: RunStore, id: string = randomUUID()): Promise<string> {
  await store.createRun(newRun('creator', { id }));
  expect(await store.parkRun(id, 'creator', null)).toBe(true);
  await store.wakeRun(id);
  return id;
}
