/**
 * Reading and checking a run's journal. Reading resolves blob references back to their values. Verifying walks the
 * chain in order and reports the first entry that is out of sequence, links to the wrong predecessor, does not hash
 * to its stored hash, or references a blob whose content no longer matches its address; it also checks that the
 * chain reaches the head recorded on the run (current on PostgreSQL; as of the last park or finish on SQLite), so
 * deleting the last entries is caught too.
 */
import type { Kysely, Selectable } from 'kysely';
import { mayHoldMarkers, referencedBlobs, resolveBlobs } from './blob-codec.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';
import type { BatonDatabase, JournalTable } from './database-schema.js';
import { entryHash, GENESIS_HASH } from './journal-chain.js';
import { toJournalEntry } from './row-mapping.js';
import type { JournalEntry, JournalVerification } from './run-store.js';

type JournalRow = Selectable<JournalTable>;

function journalRows(db: Kysely<BatonDatabase>, runId: string): Promise<JournalRow[]> {
  return db.selectFrom('baton_journal').selectAll().where('run_id', '=', runId).orderBy('seq').execute();
}

async function blobContents(db: Kysely<BatonDatabase>, hashes: Iterable<string>): Promise<Map<string, string>> {
  const wanted = [...new Set(hashes)];
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom('baton_blobs').select(['hash', 'content']).where('hash', 'in', wanted).execute();
  return new Map(rows.map((row) => [row.hash, row.content]));
}

function parseData(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

export async function readJournal(db: Kysely<BatonDatabase>, runId: string): Promise<JournalEntry[]> {
  const rows = await journalRows(db, runId);
  const stored = rows.map((row) => JSON.parse(row.data) as unknown);
  const marked = rows.map((row) => mayHoldMarkers(row.data));
  const contents = await blobContents(
    db,
    stored.flatMap((data, index) => (marked[index] ? referencedBlobs(data) : [])),
  );
  return rows.map((row, index) =>
    toJournalEntry(row, marked[index] ? resolveBlobs(stored[index], contents) : stored[index]),
  );
}

export async function verifyJournal(db: Kysely<BatonDatabase>, runId: string): Promise<JournalVerification> {
  const [rows, run] = await Promise.all([
    journalRows(db, runId),
    db.selectFrom('baton_runs').select(['last_seq', 'last_hash']).where('id', '=', runId).executeTakeFirst(),
  ]);
  const parsed = rows.map((row) => parseData(row.data));
  const contents = await blobContents(
    db,
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
