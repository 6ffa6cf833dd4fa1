/**
 * Why a server `baton` starts could not listen, as a usage mistake (exit code 2) that names the port or address and
 * says how to choose another, instead of Node's `listen EADDRINUSE` as an unexpected error.
 */
import { UsageError } from './usage-error.js';

export interface ListenHints {
  /** How to choose another port, e.g. `baton serve --port <port>, or BATON_PORT`. */
  port: string;
  /** How to choose another address, e.g. `baton serve --host <address>, or BATON_HOST`. */
  host: string;
}

/** A `UsageError` for a port in use, a port that needs privileges or an address not on this machine; else undefined. */
export function listenUsageError(error: unknown, hints: ListenHints): UsageError | undefined {
  const { code, address, port, syscall } = error as {
    code?: unknown;
    address?: unknown;
    port?: unknown;
    syscall?: unknown;
  };
  // A folder the server could not make is EACCES too: only errors of `listen` are about the port.
  if (syscall !== 'listen') return undefined;
  const message =
    code === 'EADDRINUSE'
      ? `port ${port} is in use (another Baton?): stop it, or choose another port (${hints.port})`
      : code === 'EACCES'
        ? `port ${port} on ${address} needs privileges: choose a port above 1023 (${hints.port})`
        : code === 'EADDRNOTAVAIL'
          ? `${address} is not an address of this machine: choose another (${hints.host})`
          : undefined;
  return message === undefined ? undefined : new UsageError(message, { cause: error });
}
