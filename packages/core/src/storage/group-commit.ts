/**
 * Group commit for one SQLite connection: writes that arrive during one turn of the event loop run together, in one
 * `BEGIN IMMEDIATE` transaction, at the end of that turn, and each caller learns its outcome once that transaction
 * has committed. A server running many runs at once creates runs, finishes steps and ends runs in the same turns; a
 * commit's price is the pages it appends to the write-ahead log, and writes to neighbouring rows share pages, so one
 * commit for all of them costs little more than one of them alone.
 *
 * Each write keeps its own outcome: a statement that fails (a constraint) undoes only itself, and a write made of
 * several statements runs as a better-sqlite3 transaction function, which inside the group's transaction becomes a
 * savepoint. An error that ended the whole transaction (I/O, a full disk) fails every write of the group.
 *
 * Waiting for the end of the turn costs a lone write one trip round the event loop (tens to hundreds of microseconds,
 * as much as the commit itself): worth it for many runs at once (a server), not for one run whose steps each wait for
 * their entry. So a group commit adapts: while writes come few per turn, each commits at once; more than `BUSY_TURN`
 * in one turn switch it to waiting for the end of the turn, until `IDLE_TURNS` flushes in a row carry one write each.
 * With `perTurn: false` every write commits at once, in a transaction of its own.
 */
import type { Database } from 'better-sqlite3';

interface Waiting {
  work(): unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Writes in one turn past which the writes of a turn wait for its end (a run's own come one or two per turn). */
const BUSY_TURN = 3;
/** Flushes in a row of one write each after which writes commit at once again. */
const IDLE_TURNS = 8;

export class GroupCommit {
  readonly #database: Database;
  #waiting: Waiting[] = [];
  #scheduled: NodeJS.Immediate | undefined;
  /** Writes wait for the end of their turn (several arrive per turn); otherwise the first of a turn commits at once. */
  #batching = false;
  /** Flushes in a row that carried a single write, while batching. */
  #lone = 0;
  /** Writes committed at once in this turn, and the end of the turn, which sets them back to 0. */
  #turnWrites = 0;
  #turnEnd: NodeJS.Immediate | undefined;
  readonly #runAll: (batch: readonly Waiting[]) => Outcome[];

  constructor(
    database: Database,
    private readonly perTurn: boolean,
  ) {
    this.#database = database;
    this.#runAll = database.transaction((batch: readonly Waiting[]) => batch.map((waiting) => this.#attempt(waiting)))
      .immediate as (batch: readonly Waiting[]) => Outcome[];
  }

  /** Runs `work` (synchronous statements) in this turn's transaction; resolves with its value once committed. */
  write<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.perTurn) return this.flush();
      if (!this.#batching) {
        this.#turnEnd ??= setImmediate(() => {
          this.#turnEnd = undefined;
          this.#turnWrites = 0;
        });
        this.#turnWrites += 1;
        if (this.#turnWrites <= BUSY_TURN) return this.flush();
        // Many writes in one turn: many runs at once. From now on a turn's writes wait for its end and commit together.
        this.#batching = true;
      }
      this.#scheduled ??= setImmediate(() => this.#flushTurn());
    });
  }

  /** The end-of-turn flush while batching; enough turns in a row with a single write each end the batching. */
  #flushTurn(): void {
    this.#lone = this.#waiting.length === 1 ? this.#lone + 1 : 0;
    if (this.#lone >= IDLE_TURNS) {
      this.#batching = false;
      this.#lone = 0;
    }
    this.flush();
  }

  /**
   * Commits what waits now. Called at the end of each turn, before a transaction of the caller's own begins (so
   * writes keep their order), and before the connection closes (so nothing accepted is lost). While a transaction of
   * the caller's own is open it does nothing: `flush` is called again when that transaction ends.
   */
  flush(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    if (this.#waiting.length === 0 || this.#database.inTransaction) return;
    const batch = this.#waiting;
    this.#waiting = [];
    let outcomes: Outcome[];
    try {
      outcomes = this.#runAll(batch);
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    batch.forEach((waiting, index) => {
      const outcome = outcomes[index] as Outcome;
      if (outcome.ok) waiting.resolve(outcome.value);
      else waiting.reject(outcome.error);
    });
  }

  #attempt(waiting: Waiting): Outcome {
    try {
      return { ok: true, value: waiting.work() };
    } catch (error) {
      if (!this.#database.inTransaction) throw error;
      return { ok: false, error };
    }
  }
}
