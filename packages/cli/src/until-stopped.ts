/**
 * Stop signals for commands that serve until Ctrl-C: the first SIGINT or SIGTERM asks for a clean stop; another one,
 * once the first has been taken, asks to stop at once. Ctrl-C under `npm start` reaches the process twice (once from
 * the terminal, once forwarded by npm), milliseconds apart: that echo is not a second request.
 */

/** Where the signals come from: the process, or an emitter in tests. */
export type SignalSource = Pick<NodeJS.EventEmitter, 'on' | 'off'>;

/** A second signal sooner than this after the first is the same Ctrl-C arriving twice. */
export const ECHO_MS = 1000;

/**
 * Resolves at the first SIGINT or SIGTERM, and from then on keeps both from ending the process, so a clean stop is
 * not cut short by the default handler; `untilStoppedAgain` tells the ones that come next.
 */
export function untilStopped(signals: SignalSource = process): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => resolve(signal);
    signals.on('SIGINT', stop);
    signals.on('SIGTERM', stop);
  });
}

/**
 * Resolves at a SIGINT or SIGTERM that comes `ECHO_MS` or more after `since` (when the first one was taken): a person
 * pressing Ctrl-C again. `cancel()` stops listening.
 *
 * @example
 * const again = untilStoppedAgain(Date.now());
 * await Promise.race([server.close(), again.signal]);
 * again.cancel();
 */
export function untilStoppedAgain(
  since: number,
  options: { signals?: SignalSource; now?: () => number } = {},
): { signal: Promise<NodeJS.Signals>; cancel(): void } {
  const signals = options.signals ?? process;
  const now = options.now ?? Date.now;
  let listener: ((signal: NodeJS.Signals) => void) | undefined;
  const cancel = () => {
    if (listener === undefined) return;
    signals.off('SIGINT', listener);
    signals.off('SIGTERM', listener);
    listener = undefined;
  };
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    listener = (received: NodeJS.Signals) => {
      if (now() - since < ECHO_MS) return;
      cancel();
      resolve(received);
    };
    signals.on('SIGINT', listener);
    signals.on('SIGTERM', listener);
  });
  return { signal, cancel };
}
