/**
 * Frames written during one turn of the event loop leave in one write: the first corks the TCP socket, which is
 * uncorked once the turn's work, its promise jobs included, is done. Written one by one, every frame of the service
 * socket (a task, a result, the ack of either) is a system call of its own. Used by the server and the SDK alike.
 */

/** What a TCP socket (`net.Socket`, any `Duplex`) offers to hold writes back. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

const corked = new WeakSet<Corkable>();

/** Corks `transport` until the current turn is done, unless it already is; call it before writing a frame. */
export function gatherTurn(transport: Corkable): void {
  if (corked.has(transport)) return;
  corked.add(transport);
  transport.cork();
  process.nextTick(() => {
    corked.delete(transport);
    transport.uncork();
  });
}
