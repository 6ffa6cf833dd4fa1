/**
 * MCP over Streamable HTTP on a port of its own: one endpoint (`/mcp`), a session per `initialize` (each with its own
 * transport, connected by the caller to a server of its own), `Mcp-Session-Id` routing, 404 for a session it does not
 * know (the client then starts a new one). Bound to loopback by default, where only loopback `Host` headers are
 * accepted (DNS rebinding).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadMcpServerSdk, type McpServerSdk } from './load-mcp-sdk.js';

export type McpHttpTransport = InstanceType<McpServerSdk['StreamableHTTPServerTransport']>;

export interface McpHttpListenerOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default '/mcp' */
  path?: string;
  /** The largest request body read. @default 4194304 (4 MiB) */
  maxBodyBytes?: number;
  /** Connects the transport of a new session to a server of its own (`server.connect(transport)`). */
  connect: (transport: McpHttpTransport) => Promise<void>;
}

export interface McpHttpListener {
  /** The endpoint, e.g. `http://127.0.0.1:41234/mcp`. */
  readonly url: string;
  readonly port: number;
  /** Sessions open now. */
  sessions(): number;
  /** Closes every session and the port. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * @example
 * const listener = await listenMcpHttp({ port: 3000, connect: (transport) => createMyServer().connect(transport) });
 * console.error(`MCP on ${listener.url}`);
 */
export async function listenMcpHttp(options: McpHttpListenerOptions): Promise<McpHttpListener> {
  const sdk = await loadMcpServerSdk();
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/mcp';
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const sessions = new Map<string, McpHttpTransport>();

  const startSession = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readJson(request, maxBodyBytes);
    if (!body.ok) return sendRpcError(response, body.status, body.code, body.message);
    if (!sdk.isInitializeRequest(body.value)) {
      return sendRpcError(response, 400, -32000, 'Bad Request: no Mcp-Session-Id: start a session with initialize');
    }
    const transport: McpHttpTransport = new sdk.StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        sessions.set(id, transport);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    };
    await options.connect(transport);
    await transport.handleRequest(request, response, body.value);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== path) return sendRpcError(response, 404, -32000, `Not found: the MCP endpoint is ${path}`);
    if (LOOPBACK.has(host) && !LOOPBACK.has(hostnameOf(request.headers.host))) {
      return sendRpcError(response, 403, -32000, `Forbidden: Host ${String(request.headers.host)} is not loopback`);
    }
    const sessionId = request.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const transport = sessions.get(sessionId);
      if (transport === undefined) return sendRpcError(response, 404, -32001, 'Session not found');
      return transport.handleRequest(request, response);
    }
    if (request.method !== 'POST') {
      return sendRpcError(response, 400, -32000, 'Bad Request: no Mcp-Session-Id: start a session with initialize');
    }
    return startSession(request, response);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendRpcError(response, 500, -32603, `Internal error: ${(error as Error).message}`);
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}${path}`,
    port,
    sessions: () => sessions.size,
    close: async () => {
      await Promise.all([...sessions.values()].map((transport) => transport.close().catch(() => undefined)));
      sessions.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function hostnameOf(header: string | undefined): string {
  if (header === undefined) return '';
  return header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : (header.split(':')[0] ?? '');
}

type JsonBody = { ok: true; value: unknown } | { ok: false; status: number; code: number; message: string };

async function readJson(request: IncomingMessage, maxBytes: number): Promise<JsonBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes)
      return { ok: false, status: 413, code: -32000, message: `Request body over ${maxBytes} bytes` };
    chunks.push(chunk as Buffer);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { ok: false, status: 400, code: -32700, message: 'Parse error: the body is not JSON' };
  }
}

function sendRpcError(response: ServerResponse, status: number, code: number, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
