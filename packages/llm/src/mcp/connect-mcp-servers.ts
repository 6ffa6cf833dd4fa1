/**
 * `connectMcpServers`: the tools of MCP servers (stdio commands and Streamable HTTP URLs) as registry targets, so
 * plans, agents and the server call them with every policy of the engine (timeouts, retries, breakers, budgets).
 * Each tool is `<server>.<tool>` (see `mcp-tool-name.ts`), kind `tool`, its JSON Schemas as given,
 * `metadata.mcp = { server, tool, … }`. Servers that drop are reconnected with backoff (their tools down meanwhile),
 * `list_changed` refreshes the registry, and `close()` unregisters everything and stops the servers it started.
 */
import {
  describeValue,
  type RegisteredTarget,
  type Registry,
  type RetryPolicy,
  resolveRetry,
  ValidationError,
} from '@baton/core';
import { loadMcpClientSdk } from './load-mcp-sdk.js';
import type { McpConnectionEvent } from './mcp-connection-event.js';
import { checkMcpServerConfigs, type McpServerConfig } from './mcp-server-config.js';
import { McpServerConnection, type McpServerState } from './mcp-server-connection.js';
import { isRegistry } from './registry-shape.js';

export interface ConnectMcpServersOptions {
  /** Where the tools are registered. */
  registry: Registry;
  servers: readonly McpServerConfig[];
  /**
   * The pauses between reconnection attempts of a dropped server (full jitter; it keeps trying until `close()`).
   * @default { initialDelayMs: 500, maxDelayMs: 30000, backoffFactor: 2 }
   */
  reconnect?: Pick<RetryPolicy, 'initialDelayMs' | 'maxDelayMs' | 'backoffFactor'>;
  /** How long connecting (the `initialize` exchange) or a ping may take. @default 30000 */
  connectTimeoutMs?: number;
  /** The longest one tool call or `tools/list` may take, whatever the engine's timeout. @default 60000 */
  callTimeoutMs?: number;
  /** `list_changed` notifications within this many milliseconds are refreshed once. @default 100 */
  listChangedDebounceMs?: number;
  /**
   * Where the stderr of stdio servers goes: `inherit` passes each line on to this process's stderr under the server's
   * name (`[files] …`); `ignore` drops it. Either way its last lines are kept for the error of a server that does not
   * start. @default 'inherit'
   */
  stderr?: 'inherit' | 'ignore';
  /** Every event of every server, from the first connection on. */
  onEvent?: (event: McpConnectionEvent) => void;
}

export interface McpServerStatus {
  name: string;
  state: McpServerState;
  /** The registry names of its tools. */
  targets: string[];
}

export interface McpConnections {
  /** The targets registered from every server now (down ones included). */
  targets(): RegisteredTarget[];
  servers(): McpServerStatus[];
  /** Listens to the events from now on (tools changed, servers dropped and back); returns the unsubscribe. */
  subscribe(listener: (event: McpConnectionEvent) => void): () => void;
  /** Unregisters every tool and closes every server (stdio servers are stopped). */
  close(): Promise<void>;
}

/**
 * Connects to every server at once; if one cannot be reached, the others are closed and its `McpConnectionError`
 * is thrown (an `McpNotAServerError` when its URL answered, but not as an MCP server).
 * @example
 * const registry = createRegistry();
 * const mcp = await connectMcpServers({
 *   registry,
 *   servers: [
 *     { name: 'files', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '.'] },
 *     { name: 'weather', url: 'http://127.0.0.1:3000/mcp' },
 *   ],
 * });
 * const run = createEngine({ registry }).run({
 *   steps: [{ id: 'w', target: 'weather.get-forecast', input: { city: 'Paris' }, policy: { timeoutMs: 5000 } }],
 * });
 * console.log((await run.result()).output);
 * await mcp.close();
 */
export async function connectMcpServers(options: ConnectMcpServersOptions): Promise<McpConnections> {
  if (!isRegistry(options?.registry)) {
    throw new ValidationError('invalid connectMcpServers options', [
      {
        path: 'registry',
        code: 'type',
        message: `registry must come from createRegistry(), got ${describeValue(options?.registry)}`,
      },
    ]);
  }
  const configs = checkMcpServerConfigs(options.servers);
  const sdk = await loadMcpClientSdk();
  const listeners = new Set<(event: McpConnectionEvent) => void>();
  const emit = (event: McpConnectionEvent) => {
    options.onEvent?.(event);
    for (const listener of listeners) listener(event);
  };
  const settings = {
    reconnect: resolveRetry({ initialDelayMs: 500, maxDelayMs: 30_000, backoffFactor: 2, ...options.reconnect }),
    connectTimeoutMs: options.connectTimeoutMs ?? 30_000,
    callTimeoutMs: options.callTimeoutMs ?? 60_000,
    listChangedDebounceMs: options.listChangedDebounceMs ?? 100,
    stderr: options.stderr ?? 'inherit',
  };
  const connections = configs.map((config) => new McpServerConnection(sdk, config, options.registry, settings, emit));
  const started = await Promise.allSettled(connections.map((connection) => connection.start()));
  const failed = started.find((outcome) => outcome.status === 'rejected');
  const close = async () => {
    await Promise.all(connections.map((connection) => connection.close()));
  };
  if (failed) {
    await close();
    throw failed.reason;
  }
  return {
    targets: () => {
      const names = new Set(connections.flatMap((connection) => connection.targetNames()));
      return options.registry.list().filter((target) => names.has(target.name));
    },
    servers: () =>
      connections.map((connection) => ({
        name: connection.config.name,
        state: connection.state,
        targets: connection.targetNames(),
      })),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close,
  };
}
