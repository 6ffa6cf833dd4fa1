/**
 * The HTTP requests a server is answering right now (a WebSocket upgrade is not one), so `close()` can let them end
 * before it cuts the connections: a held GET answering, an event stream writing its last event.
 */
import type { Server } from 'node:http';

export class RequestsInFlight {
  #count = 0;
  #idle: Array<() => void> = [];

  constructor(server: Server) {
    server.on('request', (_request, response) => {
      this.#count += 1;
      response.once('close', () => {
        this.#count -= 1;
        if (this.#count === 0) for (const resolve of this.#idle.splice(0)) resolve();
      });
    });
  }

  /** Resolves once no request is being answered, or after `timeoutMs`, whichever comes first. */
  settled(timeoutMs: number): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#idle.push(done);
    });
  }
}
