/** A server refused a SQLite file another server is using: which file, and who holds it. */
import { BatonError } from '@baton/core';

/** What a server's lock file says of it. */
export interface DatabaseHolder {
  pid: number;
  /** ISO 8601. */
  startedAt: string;
  /** Where it listens, once it does. */
  url?: string;
}

export class DatabaseInUseError extends BatonError {
  readonly path: string;
  readonly lockPath: string;
  readonly holder: DatabaseHolder | undefined;

  constructor(path: string, lockPath: string, holder: DatabaseHolder | undefined) {
    const who =
      holder === undefined
        ? 'another Baton server, starting now,'
        : `another Baton server (pid ${holder.pid}${holder.url === undefined ? '' : `, ${holder.url}`}, started ${holder.startedAt})`;
    super(
      'database-in-use',
      `${who} is using ${path}: two servers on one SQLite file would run each other's orchestrations without their services. Stop it, or give this server another database (only PostgreSQL takes several servers). If no Baton server runs with that pid, delete ${lockPath}`,
      { retryable: false },
    );
    this.name = 'DatabaseInUseError';
    this.path = path;
    this.lockPath = lockPath;
    this.holder = holder;
  }

  static override isInstance(error: unknown): error is DatabaseInUseError {
    return BatonError.isInstance(error) && error.code === 'database-in-use';
  }
}
