/**
 * One MCP server, kept connected: its tools registered in the registry (`McpToolSet`), refreshed on
 * `notifications/tools/list_changed`, marked down when the connection drops (a stdio server that exits, an HTTP
 * server that stops answering, checked by a ping after any transport error) and reconnected with backoff, healthy
 * again once its tools are listed anew. An HTTP server may end a session whenever it likes (one idle too long): its
 * next request answers 404, which nothing ran. Then a new session is opened at once, the calls made meanwhile wait for
 * it, and the call that met the 404 is made again on it, once.
 */
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { backoffDelay, type Registry, type ResolvedRetry } from '@baton/core';
import type { McpClientSdk } from './load-mcp-sdk.js';
import { McpAnswerPeek } from './mcp-answer-peek.js';
import { mcpCallOutput } from './mcp-call-result.js';
import type { McpConnectionEvent } from './mcp-connection-event.js';
import { McpConnectionError, McpToolError } from './mcp-errors.js';
import { batonMcpImplementation } from './mcp-implementation.js';
import { isNotMcpAnswer, McpNotAServerError } from './mcp-not-a-server-error.js';
import type { McpServerConfig } from './mcp-server-config.js';
import { mcpServerEnvironment } from './mcp-server-environment.js';
import { McpStderr } from './mcp-stderr.js';
import { McpToolSet } from './mcp-tool-set.js';
import type { McpToolInfo } from './mcp-tool-target.js';

type Client = InstanceType<McpClientSdk['Client']>;

export interface McpConnectionSettings {
  reconnect: ResolvedRetry;
  connectTimeoutMs: number;
  callTimeoutMs: number;
  listChangedDebounceMs: number;
  stderr: 'inherit' | 'ignore';
}

export type McpServerState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Why a connection whose session the server ended is replaced. */
const SESSION_ENDED = 'the server ended its session';

/** More tools than this in one `tools/list` (over every page) is taken as a server paging forever. */
const MAX_TOOLS = 10_000;

export class McpServerConnection {
  #client: Client | undefined;
  #state: McpServerState = 'connecting';
  #refreshes: Promise<void> = Promise.resolve();
  #reconnectTimer: NodeJS.Timeout | undefined;
  #pinging = false;
  /** The stderr of the stdio server process started last. */
  #stderr: McpStderr | undefined;
  /** What the HTTP server answered while the connection was opened last. */
  #peek: McpAnswerPeek | undefined;
  /** Calls waiting for the new session that replaces one the server ended. */
  #renewal: { waiters: Array<{ resolve(client: Client): void; reject(error: unknown): void }> } | undefined;
  readonly #tools: McpToolSet;

  constructor(
    private readonly sdk: McpClientSdk,
    readonly config: McpServerConfig,
    registry: Registry,
    private readonly settings: McpConnectionSettings,
    private readonly emit: (event: McpConnectionEvent) => void,
  ) {
    this.#tools = new McpToolSet(registry, config.name, (tool, input, signal) => this.call(tool, input, signal));
  }

  get state(): McpServerState {
    return this.#state;
  }

  /** The registry names of the tools this server holds now. */
  targetNames(): string[] {
    return this.#tools.names();
  }

  /** Connects the first time; a server that cannot be reached is an `McpConnectionError` (no retry here). */
  async start(): Promise<void> {
    let opened: { client: Client; tools: McpToolInfo[] };
    try {
      opened = await this.#open();
    } catch (error) {
      this.#state = 'closed';
      if (this.config.url !== undefined && isNotMcpAnswer(error)) {
        throw new McpNotAServerError(this.config.name, this.config.url, await this.#peek?.last(), { cause: error });
      }
      const where = this.config.url ?? [this.config.command, ...(this.config.args ?? [])].join(' ');
      // What a server that exited wrote last is read off its stderr, which may still be arriving.
      await new Promise((resolve) => setImmediate(resolve));
      const said = this.#stderr?.tail() ?? '';
      const stderr = said === '' ? '' : `; its stderr ended with:\n${said}`;
      // Spawning in a folder that is not there fails as if the command were missing (`spawn node ENOENT`).
      const { cwd } = this.config;
      const why =
        cwd !== undefined && !existsSync(cwd)
          ? `its cwd "${cwd}" does not exist (${messageOf(error)})`
          : `${messageOf(error)}${stderr}`;
      throw new McpConnectionError(this.config.name, `cannot be reached at ${where}: ${why}`, { cause: error });
    }
    this.#adopt(opened, false);
  }

  /**
   * Calls one tool of this server; the tool's error, or a retryable one while the server is away. A call that finds
   * the session ended by the server is made again, once, on the new session.
   */
  async call(tool: string, input: unknown, signal: AbortSignal): Promise<unknown> {
    const client = this.#client ?? (this.#renewal ? await this.#renewed(signal) : undefined);
    if (client === undefined) {
      const why = this.#state === 'closed' ? 'is closed' : 'is disconnected (reconnecting)';
      throw new McpConnectionError(this.config.name, why);
    }
    try {
      return await this.#callOn(client, tool, input, signal);
    } catch (error) {
      if (signal.aborted || !this.#sessionEnded(error)) throw this.#callError(client, tool, error, signal);
      this.#lost(client, SESSION_ENDED, { sessionEnded: true });
      const renewed = this.#client ?? (await this.#renewed(signal));
      try {
        return await this.#callOn(renewed, tool, input, signal);
      } catch (again) {
        throw this.#callError(renewed, tool, again, signal);
      }
    }
  }

  async #callOn(client: Client, tool: string, input: unknown, signal: AbortSignal): Promise<unknown> {
    const params = { name: tool, arguments: input as Record<string, unknown> };
    const result = await client.callTool(params, undefined, { signal, timeout: this.settings.callTimeoutMs });
    return mcpCallOutput(this.config.name, tool, result);
  }

  /** A 404 to a request of an open session: the server ended the session (and ran nothing). */
  #sessionEnded(error: unknown): boolean {
    return error instanceof this.sdk.StreamableHTTPError && error.code === 404;
  }

  /** The client of the session being opened to replace an ended one; a connection error when it cannot be opened. */
  #renewed(signal: AbortSignal): Promise<Client> {
    const renewal = this.#renewal;
    if (renewal === undefined) {
      return Promise.reject(new McpConnectionError(this.config.name, 'is disconnected (reconnecting)'));
    }
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<Client>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      renewal.waiters.push({
        resolve: (client) => {
          signal.removeEventListener('abort', onAbort);
          resolve(client);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
    });
  }

  /** Ends the wait of the calls for a new session: with its client, or with why it could not be opened. */
  #endRenewal(outcome: { client: Client } | { error: unknown }): void {
    const renewal = this.#renewal;
    this.#renewal = undefined;
    for (const waiter of renewal?.waiters ?? []) {
      if ('client' in outcome) waiter.resolve(outcome.client);
      else waiter.reject(outcome.error);
    }
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#reconnectTimer);
    this.#endRenewal({ error: new McpConnectionError(this.config.name, 'is closed') });
    const client = this.#client;
    this.#client = undefined;
    this.#tools.clear();
    await client?.close().catch(() => undefined);
    this.emit({ type: 'server-closed', server: this.config.name });
  }

  async #open(): Promise<{ client: Client; tools: McpToolInfo[] }> {
    const client: Client = new this.sdk.Client(
      { ...batonMcpImplementation() },
      {
        listChanged: {
          tools: {
            autoRefresh: false,
            debounceMs: this.settings.listChangedDebounceMs,
            onChanged: (error) => (error ? this.#suspect(client) : this.#refresh(client)),
          },
        },
      },
    );
    client.onclose = () => this.#lost(client, 'the connection closed');
    client.onerror = () => this.#suspect(client);
    try {
      await client.connect(this.#transport(), { timeout: this.settings.connectTimeoutMs });
      const tools = await this.#listTools(client);
      this.#peek?.stop();
      return { client, tools };
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
  }

  #transport() {
    const { config, sdk } = this;
    if (config.url !== undefined) {
      const requestInit = config.headers === undefined ? undefined : { headers: config.headers };
      this.#peek = new McpAnswerPeek();
      return new sdk.StreamableHTTPClientTransport(new URL(config.url), { requestInit, fetch: this.#peek.fetch });
    }
    const transport = new sdk.StdioClientTransport({
      command: config.command as string,
      args: config.args,
      env: mcpServerEnvironment(config.env),
      cwd: config.cwd,
      stderr: 'pipe',
    });
    this.#stderr = new McpStderr(config.name, this.settings.stderr === 'inherit');
    this.#stderr.attach(transport.stderr as Readable | null);
    return transport;
  }

  async #listTools(client: Client): Promise<McpToolInfo[]> {
    const tools: McpToolInfo[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor === undefined ? undefined : { cursor }, {
        timeout: this.settings.callTimeoutMs,
      });
      tools.push(...(page.tools as McpToolInfo[]));
      cursor = page.nextCursor;
    } while (cursor !== undefined && tools.length < MAX_TOOLS);
    return tools;
  }

  /** Makes a freshly opened client the current one and its tools the registered ones. */
  #adopt({ client, tools }: { client: Client; tools: McpToolInfo[] }, reconnected: boolean): void {
    this.#client = client;
    this.#state = 'connected';
    this.#apply(tools);
    this.#tools.setHealth('healthy');
    this.emit({ type: 'server-connected', server: this.config.name, tools: this.#tools.names().length, reconnected });
    this.#endRenewal({ client });
  }

  #apply(tools: readonly McpToolInfo[]): void {
    const server = this.config.name;
    const { skipped, ...changes } = this.#tools.sync(tools);
    for (const tool of skipped) this.emit({ type: 'tool-skipped', server, ...tool });
    if (changes.added.length + changes.removed.length + changes.replaced.length > 0) {
      this.emit({ type: 'tools-changed', server, ...changes });
    }
  }

  /** `list_changed`: lists again, one refresh at a time, for the client that is current when it runs. */
  #refresh(client: Client): void {
    this.#refreshes = this.#refreshes.then(async () => {
      if (client !== this.#client) return;
      try {
        const tools = await this.#listTools(client);
        if (client === this.#client) this.#apply(tools);
      } catch {
        this.#suspect(client);
      }
    });
  }

  /** A transport error: the connection may be gone, or not. A ping tells. */
  #suspect(client: Client): void {
    if (client !== this.#client || this.#pinging) return;
    this.#pinging = true;
    client
      .ping({ timeout: this.settings.connectTimeoutMs })
      .catch((error: unknown) => {
        const sessionEnded = this.#sessionEnded(error);
        const reason = sessionEnded ? SESSION_ENDED : `it did not answer a ping: ${messageOf(error)}`;
        this.#lost(client, reason, { sessionEnded });
      })
      .finally(() => {
        this.#pinging = false;
      });
  }

  /** The connection is gone; one the server ended (404) is opened again at once, others after a backoff. */
  #lost(client: Client, reason: string, { sessionEnded = false } = {}): void {
    if (client !== this.#client || this.#state === 'closed') return;
    this.#client = undefined;
    this.#state = 'reconnecting';
    this.#tools.setHealth('down', `MCP server "${this.config.name}" is reconnecting (${reason})`);
    this.emit({ type: 'server-disconnected', server: this.config.name, reason });
    client.close().catch(() => undefined);
    if (sessionEnded) this.#renewal = { waiters: [] };
    this.#scheduleReconnect(1, sessionEnded ? 0 : this.#delay(1));
  }

  #delay(attempt: number): number {
    return backoffDelay(this.settings.reconnect, Math.min(attempt, 30), undefined);
  }

  #scheduleReconnect(attempt: number, delayMs: number): void {
    this.#reconnectTimer = setTimeout(async () => {
      try {
        const opened = await this.#open();
        if (this.#state === 'closed') {
          await opened.client.close().catch(() => undefined);
          return;
        }
        this.#adopt(opened, true);
      } catch (error) {
        if (this.#state === 'closed') return;
        this.#endRenewal({
          error: new McpConnectionError(this.config.name, `failed to open a new session: ${messageOf(error)}`, {
            cause: error,
          }),
        });
        const next = this.#delay(attempt + 1);
        const server = this.config.name;
        this.emit({ type: 'server-reconnect-failed', server, attempt, delayMs: next, error: messageOf(error) });
        this.#scheduleReconnect(attempt + 1, next);
      }
    }, delayMs);
  }

  /** A failed call as Baton's error: the tool's refusal, or a connection problem (which is then checked). */
  #callError(client: Client, tool: string, error: unknown, signal: AbortSignal): unknown {
    if (signal.aborted || McpToolError.isInstance(error)) return error;
    const server = this.config.name;
    const { McpError, ErrorCode } = this.sdk;
    if (error instanceof McpError && error.code !== ErrorCode.ConnectionClosed) {
      const retryable = error.code === ErrorCode.RequestTimeout;
      return new McpToolError(server, tool, error.message, { mcpCode: error.code, retryable, cause: error });
    }
    this.#suspect(client);
    return new McpConnectionError(server, `failed the call of "${tool}": ${messageOf(error)}`, {
      cause: error,
      mayHaveRun: true,
    });
  }
}

/** The error's message, with its cause's when it has one (`fetch failed` says why only in its cause: `ECONNREFUSED …`). */
function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause && !error.message.includes(cause) ? `${error.message} (${cause})` : error.message;
}
