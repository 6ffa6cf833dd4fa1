/**
 * The PostgreSQL side of the store. Claiming is one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n)`.
 * The run row holds the journal's head (`last_seq`, `last_hash`), and this process caches the heads of the runs it
 * writes. The journal write, the hot path, is then one round trip when no blob is involved: a CTE moves the head
 * (fenced by owner and expected seq, which also locks the row against a concurrent claim) and the insert runs only if
 * it moved. It is a named prepared statement, prepared once per connection (planning the CTE cost as much as running
 * it), that takes the entries as arrays, so one statement serves a batch of any size. Otherwise — unknown or stale
 * head, blobs — a transaction locks the run row, checks the owner and writes blobs, entries and head.
 *
 * Runs created, appended to or finished in the same turn (a server runs many at once) share one statement of each
 * kind (`WriteBatcher`, `postgres-batched-writes.ts`); a lone write still goes as the one-run statement.
 */
import { createHash } from 'node:crypto';
import { type CompiledQuery, type Kysely, type Selectable, sql } from 'kysely';
import type pg from 'pg';
import type { BatonDatabase, RunsTable } from './database-schema.js';
import { journalRow } from './journal-append.js';
import { type ChainedEntry, type ChainHead, chainEntries, EMPTY_HEAD, headAfter } from './journal-chain.js';
import {
  APPEND_MANY_STATEMENT,
  appendedRuns,
  appendManyValues,
  CREATE_MANY_STATEMENT,
  createdRuns,
  createManyValues,
  FINISH_MANY_STATEMENT,
  type FinishMove,
  finishedRuns,
  finishManyValues,
  type HeadMove,
  type NewRun,
} from './postgres-batched-writes.js';
import type { PostgresWorkSignal } from './postgres-work-signal.js';
import { claimQuery, decideApprovalQuery, type RunFinish, wakeRunQuery } from './run-queries.js';
import { type RunQueryTemplates, runQueryTemplates } from './run-query-templates.js';
import type { WorkSignalStatus } from './run-store.js';
import { LeaseLostError } from './storage-errors.js';
import type { JournalWrite, StoreBackend, WrittenRun } from './store-backend.js';
import { WriteBatcher } from './write-batcher.js';

const MAX_CACHED_HEADS = 10_000;

const JOURNAL_COLUMNS = 'run_id, seq, type, step_key, data, prev_hash, hash, created_at';

/** The entries as rows `entry`, from six array parameters starting at `$first` (one element per entry). */
const entryRows = (first: number) =>
  `unnest($${first}::integer[], $${first + 1}::text[], $${first + 2}::text[], $${first + 3}::text[], ` +
  `$${first + 4}::text[], $${first + 5}::text[]) AS entry (seq, type, step_key, data, prev_hash, hash)`;

/** The values of `entryRows`: the chained entries' columns as six arrays. */
function entryArrays(chained: readonly ChainedEntry[]): unknown[][] {
  const columns: unknown[][] = [[], [], [], [], [], []];
  for (const entry of chained) {
    columns[0]?.push(entry.seq);
    columns[1]?.push(entry.type);
    columns[2]?.push(entry.stepKey);
    columns[3]?.push(entry.data);
    columns[4]?.push(entry.prevHash);
    columns[5]?.push(entry.hash);
  }
  return columns;
}

/**
 * The one-statement append: $1–$6 move the head, $7–$12 are the entries, so one prepared statement serves a batch of
 * any size.
 */
const APPEND_STATEMENT = `WITH moved AS (
  UPDATE baton_runs SET last_seq = $1::integer, last_hash = $2::text, updated_at = $3::bigint
  WHERE id = $4::text AND owner = $5::text AND last_seq = $6::integer
  RETURNING id
)
INSERT INTO baton_journal (${JOURNAL_COLUMNS})
SELECT $4::text, entry.seq, entry.type, entry.step_key, entry.data, entry.prev_hash, entry.hash, $3::bigint
FROM ${entryRows(7)}
WHERE EXISTS (SELECT 1 FROM moved)
RETURNING seq`;

/**
 * A run's row with its first entries: `run` is the insert (`returning *`, nothing on a conflict), whose parameters come
 * first; then the entries' time and the entries. Inserted only with the run, and the row already holds their head.
 */
const createRunStatement = (insert: CompiledQuery) => {
  const next = insert.parameters.length + 1;
  return `WITH run AS (${insert.sql}), entries AS (
  INSERT INTO baton_journal (${JOURNAL_COLUMNS})
  SELECT run.id, entry.seq, entry.type, entry.step_key, entry.data, entry.prev_hash, entry.hash, $${next}::bigint
  FROM run, ${entryRows(next + 1)}
)
SELECT * FROM run`;
};

/**
 * A run's last entries with its end: `moved` is the finishing update (fenced by owner and expected seq, `returning
 * *`), whose parameters come first; then the run id, the entries' time and the entries, written only if it moved.
 * The finished row, with how many entries went in (`baton_inserted`).
 */
const finishRunStatement = (update: CompiledQuery) => {
  const next = update.parameters.length + 1;
  return `WITH moved AS (${update.sql}), inserted AS (
  INSERT INTO baton_journal (${JOURNAL_COLUMNS})
  SELECT $${next}::text, entry.seq, entry.type, entry.step_key, entry.data, entry.prev_hash, entry.hash, $${next + 1}::bigint
  FROM ${entryRows(next + 2)}
  WHERE EXISTS (SELECT 1 FROM moved)
  RETURNING seq
)
SELECT moved.*, (SELECT count(*) FROM inserted)::integer AS baton_inserted FROM moved`;
};

const hasBlobs = (write: JournalWrite) => write.entries.some((entry) => entry.blobs.length > 0);

/** `write`'s entries chained on `cached`, the head this process last wrote. */
function headMove(write: JournalWrite, owner: string, cached: ChainHead): HeadMove {
  const chained = chainEntries(write.runId, cached, write.entries);
  return {
    runId: write.runId,
    owner,
    expectedSeq: cached.seq,
    head: headAfter(cached, chained),
    chained,
    now: write.now,
  };
}

export class PostgresBackend implements StoreBackend {
  readonly dialect = 'postgres';
  readonly #db: Kysely<BatonDatabase>;
  readonly #queries: RunQueryTemplates;
  readonly #pool: pg.Pool;
  readonly #signal: PostgresWorkSignal;
  /** Chain heads by run id, least recently written first; a stale one only costs a fallback. */
  readonly #heads = new Map<string, ChainHead>();
  /** Prepared statement names by statement text (a name is prepared once per connection, for one text). */
  readonly #statementNames = new Map<string, string>();
  /** The hot path's writes of many runs, one statement per batch (`postgres-batched-writes.ts`). */
  readonly #creates = new WriteBatcher<NewRun, Selectable<RunsTable> | undefined>({
    send: async (runs) =>
      createdRuns(runs, (await this.#many('baton_create_many', CREATE_MANY_STATEMENT, createManyValues(runs))).rows),
    sendOne: (run) => this.#createOne(run),
  });
  readonly #appends = new WriteBatcher<HeadMove, boolean>({
    send: async (moves) =>
      appendedRuns(moves, (await this.#many('baton_append_many', APPEND_MANY_STATEMENT, appendManyValues(moves))).rows),
    sendOne: (move) => this.#appendOne(move),
  });
  readonly #finishes = new WriteBatcher<FinishMove, Selectable<RunsTable> | undefined>({
    send: async (moves) =>
      finishedRuns(moves, (await this.#many('baton_finish_many', FINISH_MANY_STATEMENT, finishManyValues(moves))).rows),
    sendOne: (move) => this.#finishOne(move),
  });

  constructor(db: Kysely<BatonDatabase>, pool: pg.Pool, signal: PostgresWorkSignal) {
    this.#db = db;
    this.#queries = runQueryTemplates(db);
    this.#pool = pool;
    this.#signal = signal;
  }

  #statementName(prefix: string, text: string): string {
    let name = this.#statementNames.get(text);
    if (name === undefined) {
      name = `${prefix}_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
      this.#statementNames.set(text, name);
    }
    return name;
  }

  #remember(runId: string, head: ChainHead): void {
    this.#heads.delete(runId);
    this.#heads.set(runId, head);
    if (this.#heads.size > MAX_CACHED_HEADS) this.#heads.delete(this.#heads.keys().next().value as string);
  }

  async claimRuns(
    owner: string,
    leaseMs: number,
    limit: number,
    now: number,
    includeOwn = false,
  ): Promise<Selectable<RunsTable>[]> {
    const rows = await claimQuery(this.#db, owner, leaseMs, limit, now, true, includeOwn).execute();
    for (const row of rows) this.#remember(row.id, { seq: row.last_seq, hash: row.last_hash });
    return rows;
  }

  /** A run created here starts with an empty journal: its first append needs no transaction to learn that. */
  runCreated(row: Selectable<RunsTable>): void {
    this.#remember(row.id, { seq: row.last_seq, hash: row.last_hash });
  }

  #many(name: string, text: string, values: unknown[]) {
    return this.#pool.query({ name, text, values });
  }

  async appendJournal(write: JournalWrite): Promise<ChainedEntry[]> {
    const cached = this.#heads.get(write.runId);
    let chained: ChainedEntry[] | undefined;
    try {
      if (cached !== undefined && !hasBlobs(write) && write.entries.length > 0 && write.owner !== null) {
        const move = headMove(write, write.owner, cached);
        if (await this.#appends.write(move)) chained = move.chained;
      }
      chained ??= await this.#appendInTransaction(write);
    } catch (error) {
      this.#heads.delete(write.runId);
      throw error;
    }
    if (chained.length > 0) this.#remember(write.runId, headAfter(EMPTY_HEAD, chained));
    return chained;
  }

  /**
   * One statement: the new run's journal is empty, so its entries are chained before it exists and the row is inserted
   * with their head. With blobs, the run first and then its entries, as an engine writing them one by one would.
   */
  async insertRunWithEntries(row: RunsTable, write: JournalWrite): Promise<WrittenRun | undefined> {
    if (write.entries.length === 0 || hasBlobs(write)) return this.#insertThenAppend(row, write);
    const chained = chainEntries(row.id, EMPTY_HEAD, write.entries);
    const head = headAfter(EMPTY_HEAD, chained);
    const created = await this.#creates.write({
      row: { ...row, last_seq: head.seq, last_hash: head.hash },
      chained,
      now: write.now,
    });
    if (created === undefined) return undefined;
    this.runCreated(created);
    return { row: created, chained };
  }

  async #createOne({ row, chained, now }: NewRun): Promise<Selectable<RunsTable> | undefined> {
    const insert = this.#queries.insertRun(row);
    const text = createRunStatement(insert);
    const values = [...insert.parameters, now, ...entryArrays(chained)];
    const result = await this.#pool.query({ name: this.#statementName('baton_create_run', text), text, values });
    return result.rows[0] as Selectable<RunsTable> | undefined;
  }

  async #insertThenAppend(row: RunsTable, write: JournalWrite): Promise<WrittenRun | undefined> {
    const created = (await this.#db.executeQuery(this.#queries.insertRun(row))).rows[0];
    if (created === undefined) return undefined;
    this.runCreated(created);
    return { row: created, chained: await this.appendJournal(write) };
  }

  /**
   * One statement when this process knows the run's head: the finishing update moves it (fenced by owner and expected
   * seq) and the entries are written only if it moved. Otherwise — unknown or stale head, blobs — the entries are
   * appended first and the run finished after, with its head read from the journal.
   */
  async appendThenFinish(write: JournalWrite & { owner: string }, finish: RunFinish): Promise<WrittenRun | undefined> {
    const cached = this.#heads.get(write.runId);
    if (cached !== undefined && write.entries.length > 0 && !hasBlobs(write)) {
      const move = { ...headMove(write, write.owner, cached), finish };
      const finished = await this.#finishes.write(move);
      if (finished !== undefined) {
        this.#remember(write.runId, move.head);
        return { row: finished, chained: move.chained };
      }
      this.#heads.delete(write.runId);
    }
    let chained: ChainedEntry[];
    try {
      chained = await this.appendJournal(write);
    } catch (error) {
      if (LeaseLostError.isInstance(error)) return undefined;
      throw error;
    }
    const finished = await this.#db.executeQuery(
      this.#queries.finishRun({ ...finish, runId: write.runId, holder: write.owner }),
    );
    const row = finished.rows[0];
    return row === undefined ? undefined : { row, chained };
  }

  async #finishOne(move: FinishMove): Promise<Selectable<RunsTable> | undefined> {
    const update = this.#queries.finishRunAtHead({
      ...move.finish,
      last_seq: move.head.seq,
      last_hash: move.head.hash,
      runId: move.runId,
      holder: move.owner,
      expectedSeq: move.expectedSeq,
    });
    const text = finishRunStatement(update);
    const values = [...update.parameters, move.runId, move.now, ...entryArrays(move.chained)];
    const result = await this.#pool.query({ name: this.#statementName('baton_finish_run', text), text, values });
    const { baton_inserted: inserted, ...finished } = (result.rows[0] ?? {}) as Selectable<RunsTable> & {
      baton_inserted?: number;
    };
    return inserted === move.chained.length ? finished : undefined;
  }

  async #appendOne({ runId, owner, expectedSeq, head, chained, now }: HeadMove): Promise<boolean> {
    const values = [head.seq, head.hash, now, runId, owner, expectedSeq, ...entryArrays(chained)];
    const result = await this.#pool.query({ name: 'baton_append', text: APPEND_STATEMENT, values });
    return result.rowCount === chained.length;
  }

  #appendInTransaction({ runId, owner, entries, now }: JournalWrite): Promise<ChainedEntry[]> {
    return this.#db.transaction().execute(async (transaction) => {
      const row = await transaction
        .selectFrom('baton_runs')
        .select(['owner', 'last_seq', 'last_hash'])
        .where('id', '=', runId)
        .forUpdate()
        .executeTakeFirst();
      if (row === undefined || row.owner !== owner)
        throw new LeaseLostError(runId, owner ?? '(nobody)', row?.owner ?? null);
      const current = { seq: row.last_seq, hash: row.last_hash };
      const chained = chainEntries(runId, current, entries);
      const blobs = new Map(chained.flatMap((entry) => entry.blobs.map((blob) => [blob.hash, blob.content] as const)));
      if (blobs.size > 0) {
        // Sorted, so two transactions sharing blobs lock them in the same order; touching created_at keeps purge off.
        const values = [...blobs].sort(([a], [b]) => (a < b ? -1 : 1));
        await transaction
          .insertInto('baton_blobs')
          .values(
            values.map(([hash, content]) => ({ hash, content, size: Buffer.byteLength(content), created_at: now })),
          )
          .onConflict((conflict) => conflict.column('hash').doUpdateSet({ created_at: now }))
          .execute();
        const references = chained.flatMap((entry) =>
          [...new Set(entry.blobs.map((blob) => blob.hash))].map((hash) => ({
            run_id: runId,
            seq: entry.seq,
            blob_hash: hash,
          })),
        );
        await transaction
          .insertInto('baton_journal_blobs')
          .values(references)
          .onConflict((conflict) => conflict.doNothing())
          .execute();
      }
      if (chained.length > 0) {
        await transaction
          .insertInto('baton_journal')
          .values(chained.map((entry) => journalRow(runId, entry, now)))
          .execute();
      }
      const head = headAfter(current, chained);
      await transaction
        .updateTable('baton_runs')
        .set({ last_seq: head.seq, last_hash: head.hash, updated_at: now })
        .where('id', '=', runId)
        .execute();
      return chained;
    });
  }

  decideApproval(id: string, status: string, decision: string | null, now: number): Promise<string | undefined> {
    return this.#db.transaction().execute(async (transaction) => {
      const decided = await decideApprovalQuery(transaction, id, status, decision, now).executeTakeFirst();
      if (decided !== undefined) await wakeRunQuery(transaction, decided.run_id, now).execute();
      return decided?.run_id;
    });
  }

  waitForWork(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.#signal.wait(timeoutMs, signal);
  }

  async notifyWork(): Promise<void> {
    await sql`SELECT pg_notify(${this.#signal.channel}, '')`.execute(this.#db);
  }

  watchWorkSignal(listener: (status: WorkSignalStatus) => void): () => void {
    return this.#signal.watch(listener);
  }

  async close(): Promise<void> {
    this.#heads.clear();
    await this.#signal.close();
    await this.#db.destroy();
  }
}
