/**
 * Reading and checking a run's journal. Reading resolves blob references back to their values. Verifying walks the
 * chain in order and reports the first entry that is out of sequence, links to the wrong predecessor, does not hash
 * to its stored hash, or references a blob whose content no longer matches its address; it also checks that the
 * chain reaches the head recorded on the run (current on PostgreSQL and in memory; as of the last park or finish on
 * SQLite), so deleting the last entries is caught too.
 */
import type { Kysely } from 'kysely';
import { mayHoldMarkers, referencedBlobs, resolveBlobs } from './blob-codec.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';
import type { BatonDatabase, JournalTable } from './database-schema.js';
import { entryHash, GENESIS_HASH } from './journal-chain.js';
import { queryTemplate } from './query-template.js';
import { toJournalEntry } from './row-mapping.js';
import type { JournalEntry, JournalVerification } from './run-store.js';

/** Where a journal is read from: the rows of one run in seq order, the head recorded on the run, and blob contents. */
export interface JournalSource {
  rows(runId: string): Promise<JournalTable[]>;
  /** The head recorded on the run row; undefined when the run is gone. */
  recordedHead(runId: string): Promise<{ last_seq: number; last_hash: string } | undefined>;
  /** Contents by hash of those of `hashes` that exist (each asked for once). */
  blobContents(hashes: readonly string[]): Promise<Map<string, string>>;
}

/** The journal tables of a SQL database. */
export function kyselyJournalSource(db: Kysely<BatonDatabase>): JournalSource {
  const journalOf = queryTemplate(({ runId }: { runId: string }) =>
    db.selectFrom('baton_journal').selectAll().where('run_id', '=', runId).orderBy('seq'),
  );
  return {
    rows: async (runId) => (await db.executeQuery(journalOf({ runId }))).rows,
    recordedHead: (runId) =>
      db.selectFrom('baton_runs').select(['last_seq', 'last_hash']).where('id', '=', runId).executeTakeFirst(),
    async blobContents(hashes) {
      if (hashes.length === 0) return new Map();
      const rows = await db.selectFrom('baton_blobs').select(['hash', 'content']).where('hash', 'in', hashes).execute();
      return new Map(rows.map((row) => [row.hash, row.content]));
    },
  };
}

function blobContents(source: JournalSource, hashes: Iterable<string>): Promise<Map<string, string>> {
  return source.blobContents([...new Set(hashes)]);
}

function parseData(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

export async function readJournal(source: JournalSource, runId: string): Promise<JournalEntry[]> {
  const rows = await source.rows(runId);
  const stored = rows.map((row) => JSON.parse(row.data) as unknown);
  const marked = rows.map((row) => mayHoldMarkers(row.data));
  const contents = await blobContents(
    source,
    stored.flatMap((data, index) => (marked[index] ? referencedBlobs(data) : [])),
  );
  return rows.map((row, index) =>
    toJournalEntry(row, marked[index] ? resolveBlobs(stored[index], contents) : stored[index]),
  );
}

export async function verifyJournal(source: JournalSource, runId: string): Promise<JournalVerification> {
  const [rows, run] = await Promise.all([source.rows(runId), source.recordedHead(runId)]);
  const parsed = rows.map((row) => parseData(row.data));
  const contents = await blobContents(
    source,
    parsed.flatMap((data) => (data.ok ? referencedBlobs(data.value) : [])),
  );
  const entries = rows.length;
  let prevHash = GENESIS_HASH;
  for (const [index, row] of rows.entries()) {
    if (row.seq !== index) return { ok: false, entries, firstBadSeq: index, reason: 'sequence-gap' };
    if (row.prev_hash !== prevHash) return { ok: false, entries, firstBadSeq: row.seq, reason: 'chain-broken' };
    const data = parsed[index]!;
    const hash = data.ok
      ? entryHash(runId, row.seq, row.type, row.step_key, canonicalJson(data.value), row.prev_hash)
      : '';
    if (hash !== row.hash) return { ok: false, entries, firstBadSeq: row.seq, reason: 'hash-mismatch' };
    const blobs = data.ok ? referencedBlobs(data.value) : [];
    if (blobs.some((blob) => contents.get(blob) === undefined || sha256Hex(contents.get(blob)!) !== blob)) {
      return { ok: false, entries, firstBadSeq: row.seq, reason: 'blob-mismatch' };
    }
    prevHash = row.hash;
  }
  if (run !== undefined && run.last_seq >= entries) {
    return { ok: false, entries, firstBadSeq: entries, reason: 'sequence-gap' };
  }
  if (run !== undefined && run.last_seq >= 0 && rows[run.last_seq]?.hash !== run.last_hash) {
    return { ok: false, entries, firstBadSeq: run.last_seq, reason: 'chain-broken' };
  }
  return { ok: true, entries };
}
