/**
 * Folds an SQLite file's write-ahead log back into the database from a worker thread. A checkpoint copies pages and
 * syncs the file — milliseconds that, on the thread running steps, stalled whichever journal write came next. The
 * worker holds its own connection and runs `wal_checkpoint(PASSIVE)`, which never waits for readers or writers, so
 * the commit path only ever appends to the WAL. The worker starts on the first checkpoint that is due (a store that
 * is only read never starts one) and never keeps the process alive.
 */
import { once } from 'node:events';
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
    database.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // A busy or closing file: the next tick tries again.
  }
};
parentPort.on('message', (message) => {
  if (message !== null) return checkpoint();
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
  /** A checkpoint is asked for once the WAL has grown by this much since the last one. */
  minWalBytes: number;
}

export class SqliteCheckpointer {
  readonly #options: CheckpointerOptions;
  readonly #timer: ReturnType<typeof setInterval>;
  #worker: Worker | undefined;
  #walBytesAtLastCheckpoint = 0;
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
    const size = this.#walBytes();
    // The WAL restarts from its beginning after a complete checkpoint, so a smaller size is also progress.
    if (Math.abs(size - this.#walBytesAtLastCheckpoint) < this.#options.minWalBytes) return;
    this.#walBytesAtLastCheckpoint = size;
    this.#start().postMessage('checkpoint');
  }

  #start(): Worker {
    if (this.#worker === undefined) {
      this.#worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { driver: require.resolve('better-sqlite3'), path: this.#options.path },
      });
      this.#worker.unref();
      this.#worker.on('error', () => {
        // The worker could not open the file (it was removed, say); the main connection still works, and its own
        // close checkpoints what is left.
        this.#worker = undefined;
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
    const exited = once(worker, 'exit');
    // Held by the event loop while it closes: a process awaiting `close()` with nothing else to do would end first.
    worker.ref();
    worker.postMessage(null);
    await exited;
  }
}
