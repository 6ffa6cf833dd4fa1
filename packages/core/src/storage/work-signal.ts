/**
 * An in-process doorbell: `wait` resolves on `wake`, after a timeout, or when a signal aborts. A wake with nobody
 * waiting is kept, so the next `wait` returns at once — work announced between an engine's empty claim and its wait
 * is not lost. The dialect-specific signals ring it from LISTEN/NOTIFY or from SQLite's `data_version`.
 */

export class WorkSignal {
  readonly #waiters = new Set<() => void>();
  #pending = false;

  get waiting(): number {
    return this.#waiters.size;
  }

  wake(): void {
    if (this.#waiters.size === 0) {
      this.#pending = true;
      return;
    }
    for (const waiter of [...this.#waiters]) waiter();
  }

  wait(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#pending || signal?.aborted) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      signal?.addEventListener('abort', done, { once: true });
      this.#waiters.add(done);
    });
  }

  /** Releases every waiter (on close). */
  releaseAll(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
