/**
 * The HTTP requests that outlive their authentication — an event stream, a GET or POST held with `waitMs` — by the
 * key they were made with, so revoking a key ends them at once as it closes its sockets: a stream opened with a key
 * went on sending outputs after the key was revoked, and a held GET answered with data.
 */
import { setMaxListeners } from 'node:events';

export interface KeyHold {
  /** Aborted when the key is revoked. */
  readonly signal: AbortSignal;
  /** The request has ended: forget it. */
  release(): void;
}

export class KeyHolds {
  readonly #held = new Map<string, Set<AbortController>>();

  /** Holds a request made with `keyId` until `release`, or until the key is revoked. */
  hold(keyId: string): KeyHold {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    let holds = this.#held.get(keyId);
    if (holds === undefined) {
      holds = new Set();
      this.#held.set(keyId, holds);
    }
    holds.add(controller);
    return {
      signal: controller.signal,
      release: () => {
        const current = this.#held.get(keyId);
        current?.delete(controller);
        if (current?.size === 0) this.#held.delete(keyId);
      },
    };
  }

  /** Ends every request held with `keyId`. */
  revoke(keyId: string): void {
    const holds = this.#held.get(keyId);
    this.#held.delete(keyId);
    for (const controller of holds ?? []) controller.abort();
  }

  /** The keys requests are held with (a replica checks them against keys revoked elsewhere). */
  keyIds(): Set<string> {
    return new Set(this.#held.keys());
  }
}
