/**
 * A buffered, multi-reader event stream: every reader gets every event from the start, whenever it starts reading,
 * so a caller cannot miss the first events of a run by subscribing a moment late. Without retention (for long runs
 * whose history should not be kept), each reader gets the events pushed after it starts reading.
 */

export class EventStream<T> implements AsyncIterable<T> {
  private readonly buffer: T[] = [];
  /** Per-reader queues, used only when events are not retained. */
  private readonly queues = new Set<T[]>();
  private readonly waiting = new Set<() => void>();
  private closed = false;
  private readonly listeners: ((event: T) => void)[] = [];

  constructor(private readonly retain = true) {}

  push(event: T): void {
    if (this.closed) return;
    if (this.retain) this.buffer.push(event);
    else for (const queue of this.queues) queue.push(event);
    for (const listener of this.listeners) listener(event);
    if (this.waiting.size > 0) this.wake();
  }

  /** Calls `listener` for every later event, synchronously; returns a function that stops it. */
  subscribe(listener: (event: T) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at !== -1) this.listeners.splice(at, 1);
    };
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  /** Events so far (empty when the stream does not retain events). */
  snapshot(): readonly T[] {
    return this.buffer;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    if (!this.retain) {
      yield* this.readLive();
      return;
    }
    let next = 0;
    while (true) {
      while (next < this.buffer.length) yield this.buffer[next++] as T;
      if (this.closed) return;
      await new Promise<void>((resolve) => this.waiting.add(resolve));
    }
  }

  private async *readLive(): AsyncGenerator<T> {
    const queue: T[] = [];
    this.queues.add(queue);
    try {
      while (true) {
        while (queue.length > 0) yield queue.shift() as T;
        if (this.closed) return;
        await new Promise<void>((resolve) => this.waiting.add(resolve));
      }
    } finally {
      this.queues.delete(queue);
    }
  }

  private wake(): void {
    const waiting = [...this.waiting];
    this.waiting.clear();
    for (const resolve of waiting) resolve();
  }
}
