/**
 * The HTTP requests that outlive their authentication — an event stream, a GET or POST held with `waitMs` — by the
 * key they were made with, so revoking a key ends them at once as it closes its sockets: a stream opened with a key
 * went on sending outputs after the key was revoked, and a held GET answered with data.
 */
import { setMaxListeners } from 'node:events';

export interface KeyHold {
  /** Aborted when the key is revoked, or when one of the signals the hold was made with aborts. */
  readonly signal: AbortSignal;
  /** Whether the key was revoked while the request was held. */
  readonly revoked: boolean;
  /** The request has ended: forget it. */
  release(): void;
}

interface Held {
  controller: AbortController;
  revoked: boolean;
}

export class KeyHolds {
  readonly #held = new Map<string, Set<Held>>();

  /**
   * Holds a request made with `keyId` until `release`, or until the key is revoked. Its signal also aborts with any
   * of `also` (the client gone, the server closing): one signal for the request, which a held answer polls once per
   * look, and none made per request by `AbortSignal.any`.
   */
  hold(keyId: string, also: readonly AbortSignal[] = []): KeyHold {
    const held: Held = { controller: new AbortController(), revoked: false };
    const { signal } = held.controller;
    setMaxListeners(0, signal);
    const end = () => held.controller.abort();
    for (const other of also) {
      if (other.aborted) end();
      else other.addEventListener('abort', end, { once: true });
    }
    let holds = this.#held.get(keyId);
    if (holds === undefined) {
      holds = new Set();
      this.#held.set(keyId, holds);
    }
    holds.add(held);
    return {
      signal,
      get revoked() {
        return held.revoked;
      },
      release: () => {
        for (const other of also) other.removeEventListener('abort', end);
        const current = this.#held.get(keyId);
        current?.delete(held);
        if (current?.size === 0) this.#held.delete(keyId);
      },
    };
  }

  /** Ends every request held with `keyId`. */
  revoke(keyId: string): void {
    const holds = this.#held.get(keyId);
    this.#held.delete(keyId);
    for (const held of holds ?? []) {
      held.revoked = true;
      held.controller.abort();
    }
  }

  /** The keys requests are held with (a replica checks them against keys revoked elsewhere). */
  keyIds(): Set<string> {
    return new Set(this.#held.keys());
  }
}
