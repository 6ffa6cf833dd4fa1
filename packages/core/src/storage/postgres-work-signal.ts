/**
 * Wake-ups for PostgreSQL: one dedicated connection LISTENs on `baton_work` (opened on the first wait, reopened after
 * a failure); every NOTIFY on the channel, from any process, rings the local doorbell. If the connection cannot be
 * opened, waits fall back to their timeout rather than failing the engine's loop.
 */
import pg from 'pg';
import { WorkSignal } from './work-signal.js';

/** The channel; a store confined to a schema uses `baton_work_<schema>`, so separate deployments do not wake each other. */
export function workChannel(schema: string | undefined): string {
  return schema === undefined ? 'baton_work' : `baton_work_${schema}`;
}

export class PostgresWorkSignal {
  readonly #signal = new WorkSignal();
  readonly #config: pg.ClientConfig;
  readonly channel: string;
  #listener: Promise<pg.Client> | undefined;
  #closed = false;

  constructor(config: pg.ClientConfig, schema: string | undefined) {
    this.#config = config;
    this.channel = workChannel(schema);
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
    const reset = (): void => {
      if (this.#listener === attempt) this.#listener = undefined;
      client.removeAllListeners('notification');
      client.end().catch(() => {});
      this.#signal.releaseAll();
    };
    client.on('error', reset);
    client.on('end', reset);
    attempt.catch(reset);
    this.#listener = attempt;
    return attempt;
  }

  async wait(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#listen();
    } catch {
      // Unreachable for now: a timed wait still bounds the caller's latency; the next wait reconnects.
    }
    await this.#signal.wait(timeoutMs, signal);
  }

  /** Starts listening without waiting (so wake-ups sent from now on are kept). */
  async start(): Promise<void> {
    await this.#listen();
  }

  async close(): Promise<void> {
    this.#closed = true;
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
