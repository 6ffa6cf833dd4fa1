/**
 * Wake-ups for PostgreSQL: one dedicated connection LISTENs on `baton_work` (opened on the first wait); every NOTIFY
 * on the channel, from any process, rings the local doorbell. When the connection cannot be opened, or drops, waits
 * fall back to their timeouts (polling) and it is opened again with growing pauses (250 ms doubling to 30 s); the
 * loss and the recovery are reported to watchers (`watch`), so an engine can say it is polling and when it stops.
 */
import pg from 'pg';
import type { WorkSignalStatus } from './run-store.js';
import { StorageUnreachableError } from './storage-errors.js';
import { maskPassword } from './store-location.js';
import { WorkSignal } from './work-signal.js';

/** The channel; a store confined to a schema uses `baton_work_<schema>`, so separate deployments do not wake each other. */
export function workChannel(schema: string | undefined): string {
  return schema === undefined ? 'baton_work' : `baton_work_${schema}`;
}

export interface ListenBackoff {
  /** @default 250 */
  firstRetryMs: number;
  /** @default 30000 */
  maxRetryMs: number;
}

const DEFAULT_BACKOFF: ListenBackoff = { firstRetryMs: 250, maxRetryMs: 30_000 };

export class PostgresWorkSignal {
  readonly #signal = new WorkSignal();
  readonly #config: pg.ClientConfig;
  readonly #backoff: ListenBackoff;
  readonly #watchers = new Set<(status: WorkSignalStatus) => void>();
  readonly channel: string;
  #listener: Promise<pg.Client> | undefined;
  #closed = false;
  /** Set while the channel is down: since when, failed attempts, and when the next one may be made. */
  #down: { since: number; attempts: number; retryAt: number } | undefined;

  constructor(config: pg.ClientConfig, schema: string | undefined, backoff: Partial<ListenBackoff> = {}) {
    this.#config = config;
    this.channel = workChannel(schema);
    this.#backoff = { ...DEFAULT_BACKOFF, ...backoff };
  }

  /** Reports losses and recoveries of the channel to `listener`; returns how to stop. */
  watch(listener: (status: WorkSignalStatus) => void): () => void {
    this.#watchers.add(listener);
    return () => this.#watchers.delete(listener);
  }

  #report(status: WorkSignalStatus): void {
    for (const watcher of [...this.#watchers]) {
      try {
        watcher(status);
      } catch {
        // A watcher's bug must not stop wake-ups.
      }
    }
  }

  #failed(error: unknown): void {
    if (this.#closed) return;
    const now = Date.now();
    const attempts = (this.#down?.attempts ?? 0) + 1;
    const retryInMs = Math.min(this.#backoff.maxRetryMs, this.#backoff.firstRetryMs * 2 ** (attempts - 1));
    this.#down = { since: this.#down?.since ?? now, attempts, retryAt: now + retryInMs };
    const where = maskPassword(this.#config.connectionString ?? `${this.#config.host ?? 'localhost'}`);
    this.#report({ state: 'lost', error: new StorageUnreachableError(where, error), attempt: attempts, retryInMs });
  }

  #listen(): Promise<pg.Client> {
    if (this.#listener !== undefined) return this.#listener;
    const client = new pg.Client(this.#config);
    const attempt = (async () => {
      client.on('notification', (message) => {
        if (message.channel === this.channel) this.#signal.wake();
      });
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      return client;
    })();
    let lost = false;
    const reset = (error?: unknown): void => {
      if (lost) return;
      lost = true;
      if (this.#listener === attempt) this.#listener = undefined;
      client.removeAllListeners('notification');
      client.end().catch(() => {});
      this.#signal.releaseAll();
      this.#failed(error ?? new Error('the LISTEN connection ended'));
    };
    client.on('error', reset);
    client.on('end', () => reset());
    attempt.then(() => {
      const down = this.#down;
      this.#down = undefined;
      if (down !== undefined) {
        this.#report({ state: 'recovered', downMs: Date.now() - down.since, attempts: down.attempts });
      }
    }, reset);
    this.#listener = attempt;
    return attempt;
  }

  async wait(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#closed) return;
    // While the channel is down, waits are timed (polling) until the next attempt is due.
    if (this.#down === undefined || Date.now() >= this.#down.retryAt) {
      try {
        await this.#listen();
      } catch {
        // Reported by #failed; the timed wait below still bounds the caller's latency.
      }
    }
    await this.#signal.wait(timeoutMs, signal);
  }

  /** Starts listening without waiting (so wake-ups sent from now on are kept). */
  async start(): Promise<void> {
    await this.#listen();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#watchers.clear();
    this.#signal.releaseAll();
    const listener = this.#listener;
    this.#listener = undefined;
    if (listener === undefined) return;
    const client = await listener.catch(() => undefined);
    client?.removeAllListeners('end');
    client?.removeAllListeners('error');
    client?.on('error', () => {});
    await client?.end().catch(() => {});
  }
}
