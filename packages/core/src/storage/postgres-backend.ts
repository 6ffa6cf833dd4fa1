/**
 * The PostgreSQL side of the store. Claiming is one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n)`.
 * The run row holds the journal's head (`last_seq`, `last_hash`), and this process caches the heads of the runs it
 * writes. The journal write, the hot path, is then one round trip when no blob is involved: a CTE moves the head
 * (fenced by owner and expected seq, which also locks the row against a concurrent claim) and the insert runs only if
 * it moved. It is a named prepared statement, prepared once per connection (planning the CTE cost as much as running
 * it), that takes the entries as arrays, so one statement serves a batch of any size. Otherwise — unknown or stale
 * head, blobs — a transaction locks the run row, checks the owner and writes blobs, entries and head.
 */
import { type CompiledQuery, type Kysely, type Selectable, sql } from 'kysely';
import type pg from 'pg';
import type { BatonDatabase, RunsTable } from './database-schema.js';
import { journalRow } from './journal-append.js';
import { type ChainedEntry, type ChainHead, chainEntries, EMPTY_HEAD, headAfter } from './journal-chain.js';
import type { PostgresWorkSignal } from './postgres-work-signal.js';
import { claimQuery, decideApprovalQuery, wakeRunQuery } from './run-queries.js';
import type { WorkSignalStatus } from './run-store.js';
import { LeaseLostError } from './storage-errors.js';
import type { JournalWrite, StoreBackend } from './store-backend.js';

const MAX_CACHED_HEADS = 10_000;

/**
 * The one-statement append: $1–$6 move the head, $7–$12 are the entries' columns as arrays (one element per entry),
 * so one prepared statement serves a batch of any size.
 */
const APPEND_STATEMENT = `WITH moved AS (
  UPDATE baton_runs SET last_seq = $1::integer, last_hash = $2::text, updated_at = $3::bigint
  WHERE id = $4::text AND owner = $5::text AND last_seq = $6::integer
  RETURNING id
)
INSERT INTO baton_journal (run_id, seq, type, step_key, data, prev_hash, hash, created_at)
SELECT $4::text, entry.seq, entry.type, entry.step_key, entry.data, entry.prev_hash, entry.hash, $3::bigint
FROM unnest($7::integer[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
  AS entry (seq, type, step_key, data, prev_hash, hash)
WHERE EXISTS (SELECT 1 FROM moved)
RETURNING seq`;

export class PostgresBackend implements StoreBackend {
  readonly dialect = 'postgres';
  readonly #db: Kysely<BatonDatabase>;
  readonly #pool: pg.Pool;
  readonly #signal: PostgresWorkSignal;
  /** Chain heads by run id, least recently written first; a stale one only costs a fallback. */
  readonly #heads = new Map<string, ChainHead>();

  constructor(db: Kysely<BatonDatabase>, pool: pg.Pool, signal: PostgresWorkSignal) {
    this.#db = db;
    this.#pool = pool;
    this.#signal = signal;
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

  async appendJournal(write: JournalWrite): Promise<ChainedEntry[]> {
    const cached = this.#heads.get(write.runId);
    const hasBlobs = write.entries.some((entry) => entry.blobs.length > 0);
    let chained: ChainedEntry[] | undefined;
    try {
      if (cached !== undefined && !hasBlobs && write.entries.length > 0)
        chained = await this.#appendInOneStatement(write, cached);
      chained ??= await this.#appendInTransaction(write);
    } catch (error) {
      this.#heads.delete(write.runId);
      throw error;
    }
    if (chained.length > 0) this.#remember(write.runId, headAfter(EMPTY_HEAD, chained));
    return chained;
  }

  /** The run first, then its entries: two round trips, as an engine writing them one after the other would make. */
  async insertRunWithEntries(insert: CompiledQuery, write: JournalWrite): Promise<Selectable<RunsTable> | undefined> {
    const row = (await this.#db.executeQuery(insert)).rows[0] as Selectable<RunsTable> | undefined;
    if (row === undefined) return undefined;
    this.runCreated(row);
    await this.appendJournal(write);
    return row;
  }

  async appendThenUpdate(write: JournalWrite, update: CompiledQuery): Promise<boolean> {
    try {
      await this.appendJournal(write);
    } catch (error) {
      if (LeaseLostError.isInstance(error)) return false;
      throw error;
    }
    return ((await this.#db.executeQuery(update)).numAffectedRows ?? 0n) > 0n;
  }

  async #appendInOneStatement(write: JournalWrite, cached: ChainHead): Promise<ChainedEntry[] | undefined> {
    const { runId, owner, now } = write;
    const chained = chainEntries(runId, cached, write.entries);
    const head = headAfter(cached, chained);
    const columns: unknown[][] = [[], [], [], [], [], []];
    for (const entry of chained) {
      columns[0]?.push(entry.seq);
      columns[1]?.push(entry.type);
      columns[2]?.push(entry.stepKey);
      columns[3]?.push(entry.data);
      columns[4]?.push(entry.prevHash);
      columns[5]?.push(entry.hash);
    }
    const values = [head.seq, head.hash, now, runId, owner, cached.seq, ...columns];
    const result = await this.#pool.query({ name: 'baton_append', text: APPEND_STATEMENT, values });
    return result.rowCount === chained.length ? chained : undefined;
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
