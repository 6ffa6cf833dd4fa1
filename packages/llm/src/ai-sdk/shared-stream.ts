/**
 * One stream read by several callers, for streamed calls that share one provider call. Parts are kept as they
 * arrive and every subscriber reads them from the first, at its own pace: the upstream is read on demand of the
 * fastest, and cancelled only once every subscriber has cancelled (a late subscriber then gets an error, never a
 * stream that silently ends early).
 */
export interface SubscribeOptions<T> {
  /** Changes a part for this subscriber (the shared copy is left alone). */
  map?: (part: T) => T;
  /** Called once if the upstream fails or was cancelled before this subscriber read everything. */
  onError?: (error: unknown) => void;
}

export class SharedStream<T> {
  readonly #reader: ReadableStreamDefaultReader<T>;
  readonly #parts: T[] = [];
  readonly #onSettled: () => void;
  #done = false;
  #failure: { error: unknown } | undefined;
  #reading: Promise<void> | undefined;
  #subscribers = 0;

  /** `onSettled` runs once the upstream is finished, failed or cancelled: no new subscriber should join after it. */
  constructor(upstream: ReadableStream<T>, onSettled: () => void = () => {}) {
    this.#reader = upstream.getReader();
    this.#onSettled = onSettled;
  }

  #settle(failure?: { error: unknown }): void {
    if (this.#done || this.#failure) return;
    if (failure) this.#failure = failure;
    else this.#done = true;
    this.#onSettled();
  }

  #readNext(): Promise<void> {
    this.#reading ??= this.#reader
      .read()
      .then(
        (next) => (next.done ? this.#settle() : void this.#parts.push(next.value)),
        (error: unknown) => this.#settle({ error }),
      )
      .finally(() => {
        this.#reading = undefined;
      });
    return this.#reading;
  }

  #leave(): void {
    if (--this.#subscribers > 0 || this.#done || this.#failure) return;
    this.#settle({ error: new Error('the shared stream was cancelled by every reader') });
    void this.#reader.cancel().catch(() => {});
  }

  /** A new reader of the stream from its first part. */
  subscribe(options: SubscribeOptions<T> = {}): ReadableStream<T> {
    this.#subscribers++;
    let index = 0;
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      this.#leave();
    };
    return new ReadableStream<T>({
      pull: async (controller) => {
        while (index >= this.#parts.length && !this.#done && !this.#failure) await this.#readNext();
        if (index < this.#parts.length) {
          const part = this.#parts[index++]!;
          controller.enqueue(options.map ? options.map(part) : part);
          return;
        }
        leave();
        if (this.#failure) {
          options.onError?.(this.#failure.error);
          controller.error(this.#failure.error);
        } else controller.close();
      },
      cancel: leave,
    });
  }
}
