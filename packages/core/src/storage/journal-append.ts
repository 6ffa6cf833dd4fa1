/**
 * What every store does around appending journal entries: encode each entry's data (large values become
 * content-addressed blobs) before it is chained, store each chained entry as a journal row, and answer with the
 * entries as written.
 */
import { encodeData } from './blob-codec.js';
import type { JournalTable } from './database-schema.js';
import type { ChainedEntry, EncodedEntry } from './journal-chain.js';
import type { JournalEntry, NewJournalEntry } from './run-store.js';

/** The entries to chain, their data encoded; data over `blobThresholdBytes` goes to blobs. */
export function encodeEntries(entries: readonly NewJournalEntry[], blobThresholdBytes: number): EncodedEntry[] {
  return entries.map((entry) => {
    const data = encodeData(entry.data ?? null, blobThresholdBytes);
    return { type: entry.type, stepKey: entry.stepKey ?? null, data: data.text, blobs: data.blobs };
  });
}

/** The appended entries as callers read them back: the data they gave, with the chain's sequence and hashes. */
export function appendedEntries(
  runId: string,
  entries: readonly NewJournalEntry[],
  chained: readonly Pick<ChainedEntry, 'seq' | 'type' | 'stepKey' | 'prevHash' | 'hash'>[],
  now: number,
): JournalEntry[] {
  return chained.map((entry, index) => ({
    runId,
    seq: entry.seq,
    type: entry.type,
    stepKey: entry.stepKey,
    data: entries[index]!.data ?? null,
    prevHash: entry.prevHash,
    hash: entry.hash,
    createdAt: now,
  }));
}

/** The journal row a chained entry is stored as. */
export function journalRow(runId: string, entry: ChainedEntry, now: number): JournalTable {
  return {
    run_id: runId,
    seq: entry.seq,
    type: entry.type,
    step_key: entry.stepKey,
    data: entry.data,
    prev_hash: entry.prevHash,
    hash: entry.hash,
    created_at: now,
  };
}
