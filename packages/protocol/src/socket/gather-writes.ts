/**
 * Frames written close together leave in one write: the first corks the TCP socket, which is uncorked on the next
 * tick — once the code that wrote it has returned (including the promise jobs already queued, when it runs in one),
 * but before promise jobs queued later, which start a write of their own. Written one by one, every frame of the
 * service socket (a task, a result, the ack of either) is a system call of its own: gathered, a 3-step orchestration
 * takes 7 writes instead of 16. Used by the server and the SDK alike.
 */

/** What a TCP socket (`net.Socket`, any `Duplex`) offers to hold writes back. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

const corked = new WeakSet<Corkable>();

/** Corks `transport` until the next tick, unless it already is; call it before writing a frame. */
export function gatherTurn(transport: Corkable): void {
  if (corked.has(transport)) return;
  corked.add(transport);
  transport.cork();
  process.nextTick(() => {
    corked.delete(transport);
    transport.uncork();
  });
}
