/**
 * Gathers writes of one kind into batches, one statement per batch: the writes of one turn of the event loop go
 * together at its end, and while `maxInFlight` batches are on their way to the database, what arrives waits and goes
 * in the next. Under load each statement carries the writes of many runs, and the database's cost per statement
 * (parse, plan, commit) is paid once for all of them. While writes come alone — the last `LONE_BATCHES` batches
 * carried one each, and nothing is on its way — a write goes at once, so a lone run pays no wait for the end of its
 * turn; one batch of several switches that off again.
 *
 * `send` answers every item of a batch, in order. A batch whose statement the database refused as a whole — it named
 * an error (a SQLSTATE), so nothing of it was written — is sent again one item at a time through `sendOne`, so only
 * the item at fault fails (a deadlock, or one run's value the database would not take). Any other failure (the
 * connection lost: the statement may or may not have committed) fails every item of the batch.
 *
 * @example
 * const appends = new WriteBatcher({ send: appendMany, sendOne: appendOne });
 * const result = await appends.write(item);
 */

export interface WriteBatcherOptions<Item, Result> {
  send(items: readonly Item[]): Promise<Result[]>;
  sendOne(item: Item): Promise<Result>;
  /** Batches on their way at once. @default 2 */
  maxInFlight?: number;
  /** Items per batch at most. @default 256 */
  maxBatch?: number;
}

/** Single-write batches in a row after which a write that finds nothing on its way goes at once. */
const LONE_BATCHES = 8;

interface Waiting<Item, Result> {
  item: Item;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/**
 * Whether the database answered the statement with an error (a severity and a SQLSTATE, as `pg` reports one): it was
 * rolled back, and each item can be tried alone. A system error (`EPIPE`, `ECONNRESET`) or a connection or shutdown
 * class (08, 57) is not: the statement may have committed.
 */
export function refusedWhole(error: unknown): boolean {
  const { code, severity } = (error ?? {}) as { code?: unknown; severity?: unknown };
  if (typeof severity !== 'string' || typeof code !== 'string') return false;
  return /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('08') && !code.startsWith('57');
}

export class WriteBatcher<Item, Result> {
  readonly #options: Required<WriteBatcherOptions<Item, Result>>;
  #waiting: Waiting<Item, Result>[] = [];
  #inFlight = 0;
  #scheduled = false;
  /** Batches in a row that carried a single write (from the start: none carried more). */
  #lone = LONE_BATCHES;

  constructor(options: WriteBatcherOptions<Item, Result>) {
    this.#options = { maxInFlight: 2, maxBatch: 256, ...options };
  }

  write(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      const alone = this.#lone >= LONE_BATCHES && this.#inFlight === 0 && this.#waiting.length === 1;
      if (alone && !this.#scheduled) this.#flush();
      else this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#options.maxInFlight || this.#waiting.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    while (this.#inFlight < this.#options.maxInFlight && this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, this.#options.maxBatch);
      this.#lone = batch.length === 1 ? this.#lone + 1 : 0;
      this.#inFlight++;
      void this.#send(batch).finally(() => {
        this.#inFlight--;
        this.#schedule();
      });
    }
  }

  async #send(batch: Waiting<Item, Result>[]): Promise<void> {
    const [only] = batch;
    if (batch.length === 1 && only !== undefined) {
      await this.#options.sendOne(only.item).then(only.resolve, only.reject);
      return;
    }
    let results: Result[];
    try {
      results = await this.#options.send(batch.map((waiting) => waiting.item));
    } catch (error) {
      if (!refusedWhole(error)) {
        for (const waiting of batch) waiting.reject(error);
        return;
      }
      await Promise.all(
        batch.map((waiting) => this.#options.sendOne(waiting.item).then(waiting.resolve, waiting.reject)),
      );
      return;
    }
    batch.forEach((waiting, at) => {
      waiting.resolve(results[at] as Result);
    });
  }
}
