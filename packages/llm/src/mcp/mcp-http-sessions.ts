/**
 * The sessions of an MCP Streamable HTTP listener, kept within bounds: a session none of whose requests has been
 * answered for `idleMs` is closed (a client that went away without `DELETE` would otherwise keep its transport and
 * server forever), and at most `maxSessions` are open at once. The MCP specification lets a server end a session at
 * any time: the client's next request gets 404 and it starts a new one. A standalone `GET` stream (notifications
 * from the server) does not keep a session alive: only requests being answered do, and each one's end counts as use.
 */
import type { ServerResponse } from 'node:http';
import type { McpServerSdk } from './load-mcp-sdk.js';

export type McpHttpTransport = InstanceType<McpServerSdk['StreamableHTTPServerTransport']>;

/** How long sessions may stay idle, and how many may be open. */
export interface McpHttpSessionLimits {
  /** `Number.POSITIVE_INFINITY` keeps idle sessions open. */
  idleMs: number;
  maxSessions: number;
}

interface Session {
  transport: McpHttpTransport;
  /** Requests of the session being answered now. */
  busy: number;
  /** When its last request started or ended (ms since epoch). */
  lastUsed: number;
}

/** Idle sessions are looked for this often at most, so a session is closed at most this late. */
const MAX_SWEEP_MS = 60_000;

export class McpHttpSessions {
  private readonly open = new Map<string, Session>();
  /** Sessions whose `initialize` is being answered: they count against the cap before they have an id. */
  private starting = 0;
  private readonly sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly limits: McpHttpSessionLimits) {
    if (Number.isFinite(limits.idleMs)) {
      this.sweeper = setInterval(() => this.closeIdle(), Math.min(limits.idleMs, MAX_SWEEP_MS));
      this.sweeper.unref();
    }
  }

  get size(): number {
    return this.open.size;
  }

  /** Reserves room for a new session; `false` when `maxSessions` are open (or starting) already. */
  reserve(): boolean {
    if (this.open.size + this.starting >= this.limits.maxSessions) return false;
    this.starting++;
    return true;
  }

  /** Gives back the room `reserve` took, once the `initialize` was answered (its session, if any, added). */
  release(): void {
    this.starting--;
  }

  add(id: string, transport: McpHttpTransport): void {
    this.open.set(id, { transport, busy: 0, lastUsed: Date.now() });
  }

  delete(id: string): void {
    this.open.delete(id);
  }

  /**
   * The transport of session `id`, its use recorded: a request other than a `GET` stream keeps the session busy until
   * `response` closes.
   */
  use(id: string, method: string | undefined, response: ServerResponse): McpHttpTransport | undefined {
    const session = this.open.get(id);
    if (!session) return undefined;
    session.lastUsed = Date.now();
    if (method === 'GET') return session.transport;
    session.busy++;
    response.once('close', () => {
      session.busy--;
      session.lastUsed = Date.now();
    });
    return session.transport;
  }

  /** Closes the sessions idle for longer than `idleMs`. */
  closeIdle(): void {
    const before = Date.now() - this.limits.idleMs;
    for (const [id, session] of this.open) {
      if (session.busy > 0 || session.lastUsed >= before) continue;
      this.open.delete(id);
      void session.transport.close().catch(() => undefined);
    }
  }

  /** Closes every session and stops looking for idle ones. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    const transports = [...this.open.values()].map((session) => session.transport);
    this.open.clear();
    await Promise.all(transports.map((transport) => transport.close().catch(() => undefined)));
  }
}
