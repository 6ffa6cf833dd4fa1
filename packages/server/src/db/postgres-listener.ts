/**
 * A PostgreSQL connection that LISTENs on some channels for as long as it is open, reconnecting with growing pauses
 * (up to ten seconds) when the connection is lost. What was announced while it was down is not replayed: its users
 * also look at the database on a timer.
 */
import type pg from 'pg';

export interface PostgresListenerOptions {
  url: string;
  channels: readonly string[];
  onNotification(channel: string, payload: string | undefined): void;
  onError(error: unknown): void;
}

export class PostgresListener {
  private client: pg.Client | undefined;
  private closed = false;
  /** Failed attempts since the last connection that listened: the pause before the next grows with them. */
  private failures = 0;

  constructor(private readonly options: PostgresListenerOptions) {}

  /** Resolves once listening (or once the attempt failed, with a retry scheduled). */
  async start(): Promise<void> {
    if (this.closed) return;
    const { default: pgModule } = await import('pg');
    const client = new pgModule.Client({ connectionString: this.options.url });
    const retry = () => {
      if (this.closed || this.client !== client) return;
      this.client = undefined;
      const delay = Math.min(10_000, 100 * 2 ** this.failures);
      this.failures += 1;
      setTimeout(() => void this.start().catch(this.options.onError), delay).unref();
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (message) => this.options.onNotification(message.channel, message.payload));
    this.client = client;
    try {
      await client.connect();
      await client.query(this.options.channels.map((channel) => `LISTEN ${channel}`).join('; '));
      this.failures = 0;
    } catch (error) {
      this.options.onError(error);
      client.removeAllListeners('end');
      retry();
      // Connected but not listening: it would hold a connection (and the process) open for nothing.
      await client.end().catch(() => {});
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => {});
  }
}
