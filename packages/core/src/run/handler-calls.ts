/**
 * The handler calls of a run still running, whatever the run's signal says: a handler may ignore its abort. Before a
 * new life of the same run starts in this process, the old life's calls are waited for, so no step runs twice at once;
 * a run a budget stopped waits (briefly) for them too, so the usage they still report is in its result.
 */
import { onTimeout } from '../resilience/abort.js';

export class HandlerCalls {
  private readonly pending = new Set<Promise<unknown>>();

  /** Remembers `call` (a handler's return value) until it settles. */
  track(call: unknown): void {
    if (!(call instanceof Promise)) return;
    const settled: Promise<unknown> = call.then(
      () => this.pending.delete(settled),
      () => this.pending.delete(settled),
    );
    this.pending.add(settled);
  }

  /** Resolves once every call tracked so far has settled. */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** Like `settled`, but gives up after `ms`: a handler that ignores its abort cannot hold the caller forever. */
  async settledWithin(ms: number): Promise<void> {
    let cancel = () => {};
    const timeUp = new Promise<void>((resolve) => {
      cancel = onTimeout(ms, resolve);
    });
    try {
      await Promise.race([this.settled(), timeUp]);
    } finally {
      cancel();
    }
  }
}
