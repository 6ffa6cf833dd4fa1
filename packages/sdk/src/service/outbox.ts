/**
 * The outcomes a service sent and the server has not acknowledged yet, in the order they were sent. After a
 * reconnect they are all sent again, in that order; an `ack` removes one.
 */
import type { ServiceMessage } from '@baton/protocol';

export class Outbox {
  readonly #messages = new Map<string, ServiceMessage>();
  #waiters: Array<() => void> = [];

  get size(): number {
    return this.#messages.size;
  }

  add(message: ServiceMessage): void {
    this.#messages.set(message.id, message);
  }

  has(id: string): boolean {
    return this.#messages.has(id);
  }

  /** @returns whether `id` was waiting for its ack. */
  acknowledge(id: string): boolean {
    const removed = this.#messages.delete(id);
    if (removed && this.#messages.size === 0) {
      for (const resolve of this.#waiters.splice(0)) resolve();
    }
    return removed;
  }

  pending(): ServiceMessage[] {
    return [...this.#messages.values()];
  }

  whenEmpty(): Promise<void> {
    if (this.#messages.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
