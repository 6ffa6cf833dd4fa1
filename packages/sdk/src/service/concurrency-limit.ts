/** At most `limit` tasks run at once; the rest wait in arrival order. */

export class ConcurrencyLimit {
  readonly #limit: number;
  #running = 0;
  readonly #queue: Array<() => void> = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  get running(): number {
    return this.#running;
  }

  async acquire(): Promise<() => void> {
    if (this.#running >= this.#limit) {
      await new Promise<void>((resolve) => this.#queue.push(resolve));
    } else {
      this.#running += 1;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next) next();
      else this.#running -= 1;
    };
  }
}
