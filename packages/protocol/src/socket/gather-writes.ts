/**
 * Frames written close together leave in one write: the first corks the TCP socket, which is uncorked on the next
 * tick, once the code that wrote it has returned. Written from a promise job, that tick waits until the queue of
 * promise jobs is empty, so the frames later jobs of the same turn write (the tasks of other runs) ride along: it
 * holds a lone task back about 20 µs (the single-dispatch bench) and is what makes gathering pay under load. Written
 * one by one, every frame of the service socket (a task, a result, the ack of either) is a system call of its own:
 * gathered, a 3-step orchestration takes 7 writes instead of 16. Acknowledgements wait for the next frame
 * (`deferToNextWrite`), so one that would leave alone rides with the answer or the task that follows it. Used by the
 * server and the SDK alike.
 */

/** What a TCP socket (`net.Socket`, any `Duplex`) offers to hold writes back. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

const corked = new WeakSet<Corkable>();
/** Writes of frames that can wait (`deferToNextWrite`), by transport, oldest first. */
const waiting = new WeakMap<Corkable, Array<() => void>>();

/**
 * Corks `transport` until the next tick, unless it already is; call it before writing a frame. Frames waiting on
 * the transport (`deferToNextWrite`) are written first, into the same write.
 */
export function gatherTurn(transport: Corkable): void {
  if (!corked.has(transport)) {
    corked.add(transport);
    transport.cork();
    process.nextTick(() => {
      corked.delete(transport);
      transport.uncork();
    });
  }
  const writes = waiting.get(transport);
  if (writes === undefined) return;
  waiting.delete(transport);
  for (const write of writes) write();
}

/**
 * A frame nobody waits for (an acknowledgement) goes with the next frame written on the transport, or once this
 * turn's work is done (`setImmediate`), whichever comes first: a task's ack leaves with its result, a result's ack
 * with the next task, instead of each being a write of its own that wakes the other side while it waits for more.
 * `write` sends the frame (without calling `gatherTurn`).
 */
export function deferToNextWrite(transport: Corkable, write: () => void): void {
  const writes = waiting.get(transport);
  if (writes !== undefined) {
    writes.push(write);
    return;
  }
  const queued = [write];
  waiting.set(transport, queued);
  setImmediate(() => {
    if (waiting.get(transport) === queued) gatherTurn(transport);
  });
}

/** What a WebSocket (`ws`'s, or any with its shape) offers to send a text frame. */
export interface FrameSocket {
  readonly readyState: number;
  readonly OPEN: number;
  send(text: string): void;
}

/**
 * `deferToNextWrite` for one text frame on `socket`, whose bytes go over `transport`: sent at once when the transport
 * is unknown, and dropped when the socket has closed by the time its turn comes.
 */
export function sendDeferred(socket: FrameSocket, transport: Corkable | undefined, text: string): void {
  if (transport === undefined) {
    socket.send(text);
    return;
  }
  deferToNextWrite(transport, () => {
    if (socket.readyState === socket.OPEN) socket.send(text);
  });
}
