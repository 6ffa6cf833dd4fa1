/**
 * Folds an SQLite file's write-ahead log back into the database from a worker thread. A checkpoint copies pages and
 * syncs the file — milliseconds that, on the thread running steps, stalled whichever journal write came next. The
 * worker holds its own connection and runs `wal_checkpoint(PASSIVE)`, which never waits for readers or writers, so
 * the commit path only ever appends to the WAL. The worker starts once the WAL first passes `minWalBytes` (a store
 * that is only read never starts one) and never keeps the process alive.
 *
 * Under constant writes the worker's checkpoint never catches up: frames arrive while it copies, the WAL is never
 * wholly folded in, so it never starts over and grows without end (half a gigabyte in ten seconds of load, the file
 * itself 15 MB) — every write then lands on a new stretch of disk. So when the worker reports that little is left,
 * the owner's thread folds in the rest (`finish`), between two of its own writes: then the next write starts the WAL
 * from its beginning. That fold copies and syncs on the thread that runs steps, so it waits until the WAL holds
 * `restartFrames` frames: under load the WAL starts over every few seconds, not at every worker checkpoint (each fold
 * costs about the same, mostly the sync, however large the WAL).
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/** CommonJS, evaluated in the worker: one connection, a checkpoint per message, close on `null`. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const database = new Database(workerData.path, { fileMustExist: true });
database.pragma('busy_timeout = 1000');
const checkpoint = () => {
  try {
    return database.pragma('wal_checkpoint(PASSIVE)')[0];
  } catch {
    // A busy or closing file: the next tick tries again.
    return undefined;
  }
};
parentPort.on('message', (message) => {
  if (message !== null) return parentPort.postMessage(checkpoint() ?? null);
  checkpoint();
  database.close();
  parentPort.close();
});
`;

export interface CheckpointerOptions {
  /** The database file; its WAL is `<path>-wal`. */
  path: string;
  /** How often the WAL's size is looked at. */
  intervalMs: number;
  /** The worker starts once the WAL is this large. */
  minWalBytes: number;
  /**
   * Folds in what the worker left, on the owner's thread (`wal_checkpoint(PASSIVE)` on its connection); called after
   * each of the worker's checkpoints that left at most `finishFrames` frames behind.
   */
  finish(): void;
  /** @default 4096 */
  finishFrames?: number;
  /**
   * The owner folds in the rest only once the WAL holds this many frames (pages). @default 16384 (64 MB of 4 KB pages,
   * the store's `journal_size_limit`)
   */
  restartFrames?: number;
}

/** What `wal_checkpoint` answers: frames in the WAL when it began, and how many of them are in the database file. */
interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

export class SqliteCheckpointer {
  readonly #options: CheckpointerOptions;
  readonly #timer: ReturnType<typeof setInterval>;
  #worker: Worker | undefined;
  /** A checkpoint was asked for and has not answered yet. */
  #asked = false;
  #closed = false;

  constructor(options: CheckpointerOptions) {
    this.#options = options;
    this.#timer = setInterval(() => this.#tick(), options.intervalMs);
    this.#timer.unref();
  }

  #walBytes(): number {
    try {
      return statSync(`${this.#options.path}-wal`).size;
    } catch {
      return 0;
    }
  }

  #tick(): void {
    if (this.#asked || this.#closed) return;
    if (this.#worker === undefined && this.#walBytes() < this.#options.minWalBytes) return;
    this.#asked = true;
    this.#start().postMessage('checkpoint');
  }

  #answered(result: CheckpointResult | null): void {
    this.#asked = false;
    // The worker folded in what the WAL held when it began; the owner writes on meanwhile, so some is always left.
    if (result === null || this.#closed || result.log <= 0) return;
    if (result.log < (this.#options.restartFrames ?? 16_384)) return;
    if (result.log - result.checkpointed > (this.#options.finishFrames ?? 4096)) return;
    try {
      this.#options.finish();
    } catch {
      // Busy (another process writes): the next answer tries again.
    }
  }

  #start(): Worker {
    if (this.#worker === undefined) {
      this.#worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { driver: require.resolve('better-sqlite3'), path: this.#options.path },
      });
      this.#worker.unref();
      this.#worker.on('message', (result: CheckpointResult | null) => this.#answered(result));
      this.#worker.on('error', () => {
        // The worker could not open the file (it was removed, say); the main connection still works, and its own
        // close checkpoints what is left. The next tick starts another.
        this.#worker = undefined;
        this.#asked = false;
      });
    }
    return this.#worker;
  }

  /**
   * Stops the timer and lets the worker run a last checkpoint and close its connection; resolves once it has, so the
   * files are settled (a closed store's folder can be read or removed).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    const worker = this.#worker;
    if (worker === undefined) return;
    // Gone either way: it exits, or it fails (and is gone too).
    const gone = new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.once('error', () => resolve());
    });
    // Held by the event loop while it closes: a process awaiting `close()` with nothing else to do would end first.
    worker.ref();
    worker.postMessage(null);
    await gone;
  }
}
