/**
 * `createBatonMcpServer`: Baton as an MCP server, so any MCP client can call what Baton runs. The registry's targets
 * are tools run through the engine with their policies; given a Baton server's client, its services are tools too,
 * with tools to submit an orchestration, read it and cancel it. Served over stdio (`serveStdio`) or Streamable HTTP
 * on loopback (`listen`: a session per client), or connected to any SDK transport (`connect`).
 */
import {
  createEngine,
  describeValue,
  type Engine,
  type RegisteredTarget,
  type Registry,
  ValidationError,
} from '@baton/core';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { loadMcpServerSdk } from './load-mcp-sdk.js';
import { listenMcpHttp, type McpHttpListener, type McpHttpListenerOptions } from './mcp-http-listener.js';
import { batonMcpImplementation } from './mcp-implementation.js';
import type { McpToolDescription, McpToolProvider, McpToolResult } from './mcp-tool-provider.js';
import { type BatonServerConnection, orchestrationMcpTools } from './orchestration-mcp-tools.js';
import { registryMcpTools } from './registry-mcp-tools.js';
import { isRegistry } from './registry-shape.js';

export interface BatonMcpServerOptions {
  /** Its targets are the tools (see `include`). */
  registry?: Registry;
  /** Runs the targets. @default createEngine({ registry }) */
  engine?: Engine;
  /** A Baton server's project client (`createClient` of `@baton/sdk`): its services and orchestrations as tools. */
  baton?: BatonServerConnection;
  /** Which registry targets are tools. @default every one */
  include?: (target: RegisteredTarget) => boolean;
  /** The name the server gives in `initialize`. @default 'baton' */
  name?: string;
}

export interface BatonMcpServer {
  /** What `tools/list` answers: the registry's targets first, then the Baton server's services and tools. */
  listTools(): Promise<McpToolDescription[]>;
  /** What `tools/call` answers; an unknown tool or a failure is an `isError` result. */
  callTool(name: string, args?: Record<string, unknown>, signal?: AbortSignal): Promise<McpToolResult>;
  /** Answers MCP on a transport of the SDK (a new SDK `Server` for it). */
  connect(transport: Transport): Promise<void>;
  /** Answers MCP on this process's stdin and stdout (nothing else may write to stdout). */
  serveStdio(): Promise<void>;
  /** Answers MCP over Streamable HTTP. @default port 0 on 127.0.0.1, path /mcp */
  listen(options?: Omit<McpHttpListenerOptions, 'connect'>): Promise<McpHttpListener>;
  /** Closes every connection and listener. */
  close(): Promise<void>;
}

/**
 * @example
 * const registry = createRegistry();
 * registry.register({ name: 'add', description: 'Adds two numbers', input: z.object({ a: z.number(), b: z.number() }), handler: ({ a, b }) => a + b });
 * const mcp = createBatonMcpServer({ registry });
 * const listener = await mcp.listen({ port: 3001 });
 * console.error(`MCP clients can connect to ${listener.url}`);
 */
export function createBatonMcpServer(options: BatonMcpServerOptions): BatonMcpServer {
  const providers = toolProviders(options);
  const closers = new Set<() => Promise<void>>();

  const listTools = async () => {
    const seen = new Set<string>();
    const lists = await Promise.all(providers.map((provider) => provider.tools()));
    return lists.flat().filter((tool) => !seen.has(tool.name) && seen.add(tool.name));
  };
  const callTool = async (name: string, args: Record<string, unknown> = {}, signal = new AbortController().signal) => {
    for (const provider of providers) {
      const result = await provider.call(name, args, signal);
      if (result !== undefined) return result;
    }
    return {
      content: [{ type: 'text' as const, text: `unknown tool ${describeValue(name)}: see tools/list` }],
      isError: true,
    };
  };
  const connect = async (transport: Transport) => {
    const sdk = await loadMcpServerSdk();
    const server = new sdk.Server(
      { ...batonMcpImplementation(), name: options.name ?? 'baton' },
      { capabilities: { tools: {} } },
    );
    server.setRequestHandler(sdk.ListToolsRequestSchema, async () => ({ tools: await listTools() }));
    server.setRequestHandler(sdk.CallToolRequestSchema, (request, extra) =>
      callTool(request.params.name, request.params.arguments, extra.signal),
    );
    const close = () => server.close();
    closers.add(close);
    server.onclose = () => closers.delete(close);
    await server.connect(transport);
  };
  return {
    listTools,
    callTool,
    connect,
    serveStdio: async () => connect(new (await loadMcpServerSdk()).StdioServerTransport()),
    listen: async (listenOptions = {}) => {
      const listener = await listenMcpHttp({ ...listenOptions, connect });
      closers.add(listener.close);
      return listener;
    },
    close: async () => {
      await Promise.all([...closers].map((close) => close().catch(() => undefined)));
      closers.clear();
    },
  };
}

function toolProviders(options: BatonMcpServerOptions): McpToolProvider[] {
  if (options?.registry !== undefined && !isRegistry(options.registry)) {
    throw new ValidationError('invalid createBatonMcpServer options', [
      {
        path: 'registry',
        code: 'type',
        message: `registry must come from createRegistry(), got ${describeValue(options.registry)}`,
      },
    ]);
  }
  if (options?.registry === undefined && options?.baton === undefined) {
    throw new ValidationError('invalid createBatonMcpServer options', [
      {
        path: 'registry',
        code: 'required',
        message: 'give a registry (its targets become tools), a baton client, or both',
      },
    ]);
  }
  const providers: McpToolProvider[] = [];
  if (options.registry !== undefined) {
    const engine = options.engine ?? createEngine({ registry: options.registry });
    providers.push(registryMcpTools({ registry: options.registry, engine, include: options.include }));
  }
  if (options.baton !== undefined) providers.push(orchestrationMcpTools(options.baton));
  return providers;
}
