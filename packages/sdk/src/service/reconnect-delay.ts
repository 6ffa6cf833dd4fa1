/**
 * How long to wait before the next connection attempt: exponential growth with full jitter (a random delay between
 * zero and the ceiling), so many instances that lost the server at once do not reconnect in step.
 */

export interface ReconnectOptions {
  /** The ceiling after the first failure. @default 100 */
  initialDelayMs?: number;
  /** The ceiling never grows past this. @default 30_000 */
  maxDelayMs?: number;
}

export function reconnectDelay(failures: number, options: ReconnectOptions = {}, random = Math.random): number {
  const initial = options.initialDelayMs ?? 100;
  const max = options.maxDelayMs ?? 30_000;
  const ceiling = Math.min(max, initial * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return Math.floor(random() * ceiling);
}
