/**
 * One server per SQLite file. Two servers on one file would each take up the other's orchestrations while the
 * services they need are connected to the other, and each would report the other's runs as its own; several servers
 * on one database are replicas only on PostgreSQL. So a server on a SQLite file holds a lock file beside it
 * (`<file>.lock`, with its pid and, once it listens, its address), and a second server is refused with a
 * `DatabaseInUseError` naming the first. A lock whose process is gone (killed, crashed) is taken over at once: a
 * restart after a crash never waits.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isProcessAlive, makeDirectory } from '@baton/core';
import { type DatabaseHolder, DatabaseInUseError } from './database-in-use-error.js';

export interface SqliteServerLock {
  /** Records the address the server listens on, for the message a second server gets. */
  setUrl(url: string): void;
  /** Removes the lock file, if it is still this server's. */
  release(): void;
}

/** Files locked by servers of this process: a second server here is refused too, though its pid is alive. */
const lockedHere = new Set<string>();

function readHolder(lockPath: string): DatabaseHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<DatabaseHolder>;
    return typeof holder.pid === 'number' ? (holder as DatabaseHolder) : undefined;
  } catch {
    // Gone meanwhile, or written half by a process that died while writing it.
    return undefined;
  }
}

/** A lock file with no pid in it is a server writing it now, unless it has been so for longer than a start takes. */
const UNWRITTEN_STALE_MS = 10_000;

/** Whether the lock file was left by a server that is gone (or by one in this process, which is not running). */
function isStale(lockPath: string, holder: DatabaseHolder | undefined): boolean {
  if (holder !== undefined) return holder.pid === process.pid || !isProcessAlive(holder.pid);
  try {
    return Date.now() - statSync(lockPath).mtimeMs > UNWRITTEN_STALE_MS;
  } catch {
    return true;
  }
}

function removeIfGone(lockPath: string): void {
  try {
    unlinkSync(lockPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * @example
 * const lock = lockSqliteDatabase('.baton/server.db'); // throws DatabaseInUseError while another server uses it
 * lock.setUrl('http://127.0.0.1:7400');
 * lock.release();
 */
export function lockSqliteDatabase(path: string): SqliteServerLock {
  const file = resolve(path);
  const lockPath = `${file}.lock`;
  if (lockedHere.has(file)) throw new DatabaseInUseError(file, lockPath, readHolder(lockPath));
  // Not mkdirSync's recursive mode, which spins for ever under a filesystem that answers ENOENT (/proc).
  makeDirectory(dirname(file));
  const holder: DatabaseHolder = { pid: process.pid, startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(lockPath, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const other = readHolder(lockPath);
      // A second try that finds a lock again lost the race to a stale one: another server is starting.
      if (attempt > 0 || !isStale(lockPath, other)) throw new DatabaseInUseError(file, lockPath, other);
      removeIfGone(lockPath);
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(holder));
    } finally {
      closeSync(fd);
    }
    lockedHere.add(file);
    let released = false;
    return {
      setUrl(url) {
        if (!released) writeFileSync(lockPath, JSON.stringify({ ...holder, url }), { mode: 0o600 });
      },
      release() {
        if (released) return;
        released = true;
        lockedHere.delete(file);
        if (readHolder(lockPath)?.pid === process.pid) removeIfGone(lockPath);
      },
    };
  }
}
