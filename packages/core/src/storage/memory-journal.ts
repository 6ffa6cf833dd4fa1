/**
 * The memory store's journal: the fenced append (owner checked, chain continued from the last entry, blobs stored
 * once by hash) and the source `readJournal` / `verifyJournal` read from. Like PostgreSQL, the head recorded on the
 * run is kept current on every append, so a missing last entry is caught at once.
 */

import { journalRow } from './journal-append.js';
import { type ChainedEntry, chainEntries, EMPTY_HEAD, type EncodedEntry } from './journal-chain.js';
import type { JournalSource } from './journal-reader.js';
import type { MemoryTables } from './memory-tables.js';
import { LeaseLostError } from './storage-errors.js';

export interface MemoryJournalWrite {
  runId: string;
  /** The owner the write is fenced by; null writes only to a run nobody owns (a finished run). */
  owner: string | null;
  entries: readonly EncodedEntry[];
  now: number;
}

export function appendMemoryJournal(tables: MemoryTables, write: MemoryJournalWrite): ChainedEntry[] {
  const { runId, owner, entries, now } = write;
  const run = tables.runs.get(runId);
  if (run === undefined || run.owner !== owner)
    throw new LeaseLostError(runId, owner ?? '(nobody)', run?.owner ?? null);
  const rows = tables.journal.get(runId) ?? [];
  const last = rows[rows.length - 1];
  const chained = chainEntries(runId, last === undefined ? EMPTY_HEAD : { seq: last.seq, hash: last.hash }, entries);
  if (chained.length === 0) return chained;
  for (const entry of chained) {
    for (const blob of entry.blobs) {
      tables.blobs.set(blob.hash, {
        hash: blob.hash,
        content: blob.content,
        size: Buffer.byteLength(blob.content),
        created_at: now,
      });
    }
    rows.push({ ...journalRow(runId, entry, now), blobs: entry.blobs.map((blob) => blob.hash) });
  }
  tables.journal.set(runId, rows);
  const head = chained[chained.length - 1]!;
  run.last_seq = head.seq;
  run.last_hash = head.hash;
  return chained;
}

/** Copies of the rows, so a reader holds nothing the store may change later. */
export function memoryJournalSource(tables: MemoryTables): JournalSource {
  return {
    rows: async (runId) => (tables.journal.get(runId) ?? []).map(({ blobs: _, ...row }) => row),
    async recordedHead(runId) {
      const run = tables.runs.get(runId);
      return run && { last_seq: run.last_seq, last_hash: run.last_hash };
    },
    async blobContents(hashes) {
      const contents = new Map<string, string>();
      for (const hash of hashes) {
        const blob = tables.blobs.get(hash);
        if (blob !== undefined) contents.set(hash, blob.content);
      }
      return contents;
    },
  };
}
