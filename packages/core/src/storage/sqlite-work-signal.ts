/**
 * Wake-ups for SQLite, which has no notifications: while someone waits, `PRAGMA data_version` is read every
 * `pollMs`; it changes whenever another connection (another process or store) commits. A commit since the last look
 * wakes the next waiter at once. Own commits do not change it, so `notify` rings the local doorbell directly, and
 * bumps `PRAGMA user_version` (unused by Baton's schema, which has its own version table) so other processes see a
 * commit too.
 */
import type { Database } from 'better-sqlite3';
import { WorkSignal } from './work-signal.js';

export class SqliteWorkSignal {
  readonly #signal = new WorkSignal();
  readonly #database: Database;
  readonly #pollMs: number;
  #seenVersion: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(database: Database, pollMs: number) {
    this.#database = database;
    this.#pollMs = pollMs;
    this.#seenVersion = this.#version();
  }

  #version(): number {
    return this.#database.pragma('data_version', { simple: true }) as number;
  }

  #changed(): boolean {
    const version = this.#version();
    if (version === this.#seenVersion) return false;
    this.#seenVersion = version;
    return true;
  }

  #poll = (): void => {
    if (this.#signal.waiting === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    if (this.#database.open && this.#changed()) this.#signal.wake();
  };

  async wait(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#changed()) return;
    const waiting = this.#signal.wait(timeoutMs, signal);
    if (this.#timer === undefined && this.#signal.waiting > 0) {
      this.#timer = setInterval(this.#poll, this.#pollMs);
      this.#timer.unref();
    }
    await waiting;
  }

  notify(): void {
    const version = this.#database.pragma('user_version', { simple: true }) as number;
    this.#database.pragma(`user_version = ${(version + 1) % 1_000_000}`);
    this.#signal.wake();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#signal.releaseAll();
  }
}
