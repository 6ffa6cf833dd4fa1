/**
 * The SQLite side of the store. Every multi-statement write runs synchronously inside `BEGIN IMMEDIATE`, so it is
 * atomic across processes (SQLite's write lock) and never holds that lock across an await — several stores on one file,
 * in one process or many, cannot deadlock. The journal write, the hot path, uses hand-written prepared statements and
 * writes a single page per entry: under the write lock it reads the owner and the chain head (index lookups), then
 * inserts; a run's first entries, stored with the run, have neither to read. The head recorded on the run row is only
 * brought up to date when the run parks or finishes. Appends, like the store's other single writes, commit with
 * whatever else was written in the same turn of the event loop (`GroupCommit`), each in a savepoint of its own, so a
 * lost lease or a bad entry fails that run's append alone.
 */
import type { CompiledQuery, Kysely, Selectable } from 'kysely';
import type { BatonDatabase, RunsTable } from './database-schema.js';
import { type ChainedEntry, type ChainHead, chainEntries, EMPTY_HEAD } from './journal-chain.js';
import { claimQuery, decideApprovalQuery, type RunFinish, wakeRunQuery } from './run-queries.js';
import { type RunQueryTemplates, runQueryTemplates } from './run-query-templates.js';
import type { SqliteStatements } from './sqlite-statements.js';
import { SqliteWorkSignal } from './sqlite-work-signal.js';
import { LeaseLostError } from './storage-errors.js';
import type { JournalWrite, StoreBackend, WrittenRun } from './store-backend.js';

const READ_OWNER = 'SELECT owner FROM baton_runs WHERE id = ?';
const READ_HEAD = 'SELECT seq, hash FROM baton_journal WHERE run_id = ? ORDER BY seq DESC LIMIT 1';
const INSERT_ENTRY =
  'INSERT INTO baton_journal (run_id, seq, type, step_key, data, prev_hash, hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
const INSERT_BLOB =
  'INSERT INTO baton_blobs (hash, content, size, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO UPDATE SET created_at = excluded.created_at';
const INSERT_REFERENCE =
  'INSERT INTO baton_journal_blobs (run_id, seq, blob_hash) VALUES (?, ?, ?) ON CONFLICT DO NOTHING';

export class SqliteBackend implements StoreBackend {
  readonly dialect = 'sqlite';
  readonly #statements: SqliteStatements;
  readonly #db: Kysely<BatonDatabase>;
  readonly #signal: SqliteWorkSignal;
  readonly #queries: RunQueryTemplates;
  readonly #appendOne: (write: JournalWrite) => ChainedEntry[];
  readonly #insertWithEntries: (insert: CompiledQuery, write: JournalWrite) => WrittenRun | undefined;
  readonly #appendThenFinish: (write: JournalWrite, update: CompiledQuery) => WrittenRun | undefined;

  constructor(statements: SqliteStatements, db: Kysely<BatonDatabase>, pollMs: number) {
    this.#statements = statements;
    this.#db = db;
    this.#signal = new SqliteWorkSignal(statements.database, pollMs);
    this.#queries = runQueryTemplates(db);
    // Inside the group's transaction a better-sqlite3 transaction function is a savepoint: one run's append fails alone.
    this.#appendOne = statements.database.transaction((write: JournalWrite) => this.#writeJournal(write));
    // A run just inserted is held by its writer and has no entries yet (they go when it does): nothing to read first.
    this.#insertWithEntries = statements.database.transaction((insert: CompiledQuery, write: JournalWrite) => {
      const row = statements.all(insert)[0] as Selectable<RunsTable> | undefined;
      return row === undefined ? undefined : { row, chained: this.#insertEntries(write, EMPTY_HEAD) };
    });
    this.#appendThenFinish = statements.database.transaction((write: JournalWrite, update: CompiledQuery) => {
      let chained: ChainedEntry[];
      try {
        chained = this.#writeJournal(write);
      } catch (error) {
        if (LeaseLostError.isInstance(error)) return undefined;
        throw error;
      }
      const row = statements.all(update)[0] as Selectable<RunsTable> | undefined;
      return row === undefined ? undefined : { row, chained };
    });
  }

  #writeJournal(write: JournalWrite): ChainedEntry[] {
    const { runId, owner } = write;
    const statements = this.#statements;
    const run = statements.prepare(READ_OWNER).get(runId) as { owner: string | null } | undefined;
    if (run?.owner !== owner) throw new LeaseLostError(runId, owner ?? '(nobody)', run?.owner ?? null);
    const head = (statements.prepare(READ_HEAD).get(runId) as { seq: number; hash: string } | undefined) ?? EMPTY_HEAD;
    return this.#insertEntries(write, head);
  }

  /** Chains `entries` on from `head` and inserts them, with the blobs they reference. */
  #insertEntries({ runId, entries, now }: JournalWrite, head: ChainHead): ChainedEntry[] {
    const statements = this.#statements;
    const chained = chainEntries(runId, head, entries);
    const insertEntry = statements.prepare(INSERT_ENTRY);
    for (const entry of chained) {
      for (const blob of entry.blobs) {
        statements.prepare(INSERT_BLOB).run(blob.hash, blob.content, Buffer.byteLength(blob.content), now);
        statements.prepare(INSERT_REFERENCE).run(runId, entry.seq, blob.hash);
      }
      insertEntry.run(runId, entry.seq, entry.type, entry.stepKey, entry.data, entry.prevHash, entry.hash, now);
    }
    return chained;
  }

  async claimRuns(
    owner: string,
    leaseMs: number,
    limit: number,
    now: number,
    includeOwn = false,
  ): Promise<Selectable<RunsTable>[]> {
    const query = claimQuery(this.#db, owner, leaseMs, limit, now, false, includeOwn).compile();
    return this.#statements.exclusive(() => this.#statements.all(query));
  }

  appendJournal(write: JournalWrite): Promise<ChainedEntry[]> {
    return this.#statements.group.write(() => this.#appendOne(write));
  }

  insertRunWithEntries(row: RunsTable, write: JournalWrite): Promise<WrittenRun | undefined> {
    const insert = this.#queries.insertRun(row);
    return this.#statements.group.write(() => this.#insertWithEntries(insert, write));
  }

  appendThenFinish(write: JournalWrite & { owner: string }, finish: RunFinish): Promise<WrittenRun | undefined> {
    const update = this.#queries.finishRun({ ...finish, runId: write.runId, holder: write.owner });
    return this.#statements.group.write(() => this.#appendThenFinish(write, update));
  }

  async decideApproval(id: string, status: string, decision: string | null, now: number): Promise<string | undefined> {
    const decide = decideApprovalQuery(this.#db, id, status, decision, now).compile();
    return this.#statements.exclusive(() => {
      const runId = this.#statements.all(decide)[0]?.run_id;
      if (runId !== undefined) this.#statements.run(wakeRunQuery(this.#db, runId, now).compile());
      return runId;
    });
  }

  waitForWork(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.#signal.wait(timeoutMs, signal);
  }

  async notifyWork(): Promise<void> {
    this.#signal.notify();
  }

  /** SQLite has no channel to lose: it polls `data_version`. */
  watchWorkSignal(): () => void {
    return () => {};
  }

  async close(): Promise<void> {
    this.#signal.close();
    await this.#db.destroy();
    // Kysely only closes a database it has initialised, i.e. that ran a query through it.
    await this.#statements.close();
  }
}
