/**
 * The tables as Kysely sees them. Times are integers (ms since epoch), JSON values are text (so both dialects store the
 * same bytes and hashing never depends on a JSON column's normalisation), flags are integers 0/1. Every table is
 * prefixed `baton_` so a PostgreSQL schema can be shared with other applications.
 */

export interface RunsTable {
  id: string;
  status: string;
  plan: string;
  request: string | null;
  options: string | null;
  output: string | null;
  error: string | null;
  owner: string | null;
  lease_expires_at: number | null;
  wake_at: number | null;
  /** Set when a wake-up arrives while the run is owned, so parking it makes it ready instead of waiting. */
  wake_requested: number;
  idempotency_key: string | null;
  /** The reason a cancel was requested with (migration 2); the engine that holds or next claims the run ends it. */
  cancel_requested: string | null;
  /** Head of the journal chain: the last seq (-1 when empty) and its hash (64 zeros when empty). */
  last_seq: number;
  last_hash: string;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface JournalTable {
  run_id: string;
  seq: number;
  type: string;
  step_key: string | null;
  /** Canonical JSON of the stored data (blob references in place of large values). */
  data: string;
  prev_hash: string;
  hash: string;
  created_at: number;
}

/** Which journal entry references which blob; purge keeps blobs that any row here names. */
export interface JournalBlobsTable {
  run_id: string;
  seq: number;
  blob_hash: string;
}

export interface BlobsTable {
  /** SHA-256 of `content`. */
  hash: string;
  /** Canonical JSON of the value. */
  content: string;
  size: number;
  created_at: number;
}

export interface ApprovalsTable {
  id: string;
  run_id: string;
  step_key: string;
  prompt: string;
  data: string | null;
  status: string;
  decision: string | null;
  expires_at: number | null;
  created_at: number;
  decided_at: number | null;
}

export interface FailedCompensationsTable {
  id: string;
  run_id: string;
  step_key: string;
  target: string;
  error: string | null;
  status: string;
  reason: string | null;
  created_at: number;
  updated_at: number;
}

export interface IdempotencyTable {
  key: string;
  value: string | null;
  expires_at: number;
  /** Who is computing the result now (migration 4); null once the result is stored. */
  claim_owner: string | null;
  /** When that claim lapses unless renewed (ms since epoch); another holder may then take the key over. */
  claim_expires_at: number | null;
}

export interface SchemaVersionsTable {
  version: number;
  name: string;
  applied_at: number;
}

export interface BatonDatabase {
  baton_runs: RunsTable;
  baton_journal: JournalTable;
  baton_journal_blobs: JournalBlobsTable;
  baton_blobs: BlobsTable;
  baton_approvals: ApprovalsTable;
  baton_failed_compensations: FailedCompensationsTable;
  baton_idempotency: IdempotencyTable;
  baton_schema: SchemaVersionsTable;
}
