/**
 * Loads `@modelcontextprotocol/sdk`, an optional peer of `@baton/llm`, on first use: only those who connect to MCP
 * servers or serve MCP install it. A missing SDK is a `MissingDependencyError` naming the package.
 */
import { MissingDependencyError } from '@baton/core';

const PACKAGE = '@modelcontextprotocol/sdk';

async function load<T>(load: () => Promise<T>, feature: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (MissingDependencyError.isNotFound(error, PACKAGE) || isMissingSubpath(error)) {
      throw new MissingDependencyError(PACKAGE, feature, { cause: error });
    }
    throw error;
  }
}

/** Node names the file it looked for (`…/sdk/dist/esm/client/index.js`) rather than the package at times. */
function isMissingSubpath(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(PACKAGE);
}

/** The client side: `Client`, its stdio and Streamable HTTP transports, and their errors. */
export async function loadMcpClientSdk() {
  return load(async () => {
    const [client, stdio, http, types] = await Promise.all([
      import('@modelcontextprotocol/sdk/client/index.js'),
      import('@modelcontextprotocol/sdk/client/stdio.js'),
      import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
      import('@modelcontextprotocol/sdk/types.js'),
    ]);
    return {
      Client: client.Client,
      StdioClientTransport: stdio.StdioClientTransport,
      StreamableHTTPClientTransport: http.StreamableHTTPClientTransport,
      StreamableHTTPError: http.StreamableHTTPError,
      McpError: types.McpError,
      ErrorCode: types.ErrorCode,
    };
  }, 'connecting to MCP servers (connectMcpServers)');
}

/** The server side: `Server`, the request schemas it answers, and its stdio and Streamable HTTP transports. */
export async function loadMcpServerSdk() {
  return load(async () => {
    const [server, stdio, http, types] = await Promise.all([
      import('@modelcontextprotocol/sdk/server/index.js'),
      import('@modelcontextprotocol/sdk/server/stdio.js'),
      import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
      import('@modelcontextprotocol/sdk/types.js'),
    ]);
    return {
      Server: server.Server,
      StdioServerTransport: stdio.StdioServerTransport,
      StreamableHTTPServerTransport: http.StreamableHTTPServerTransport,
      ListToolsRequestSchema: types.ListToolsRequestSchema,
      CallToolRequestSchema: types.CallToolRequestSchema,
      isInitializeRequest: types.isInitializeRequest,
    };
  }, 'serving Baton over MCP (createBatonMcpServer)');
}

export type McpClientSdk = Awaited<ReturnType<typeof loadMcpClientSdk>>;
export type McpServerSdk = Awaited<ReturnType<typeof loadMcpServerSdk>>;
