/**
 * The child side of `bench/server-children.ts`: the JSON argument, `ready`, and the `settle` and `stop` requests.
 */
export function childArgs<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}

export function sendToParent(message: { type: string; [key: string]: unknown }): void {
  process.send?.(message);
}

/** Answers `settle` (after forced collections, when run with --expose-gc) and calls `stop` then exits on `stop`. */
export function serveParent(stop: () => Promise<void>): void {
  process.on('message', async (message: { type?: string }) => {
    if (message.type === 'settle') {
      for (let i = 0; i < 3; i++) {
        globalThis.gc?.();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      sendToParent({ type: 'settled', heapUsed: process.memoryUsage().heapUsed });
    } else if (message.type === 'stop') {
      await stop().catch((error) => process.stderr.write(`bench child stop failed: ${String(error)}\n`));
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
}
