/**
 * MCP over Streamable HTTP on a port of its own: one endpoint (`/mcp`), a session per `initialize` (each with its own
 * transport, connected by the caller to a server of its own), `Mcp-Session-Id` routing, 404 for a session it does not
 * know (the client then starts a new one). Sessions idle for `sessionIdleMs` are closed and at most `maxSessions` are
 * open (`mcp-http-sessions.ts`); an `initialize` past the cap is answered 503. Bound to loopback by default, where
 * only loopback `Host` headers are accepted (DNS rebinding).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeValue, type Problem, ValidationError } from '@baton/core';
import { unknownKeys } from '../config/unknown-keys.js';
import { loadMcpServerSdk } from './load-mcp-sdk.js';
import { type McpHttpSessionLimits, McpHttpSessions, type McpHttpTransport } from './mcp-http-sessions.js';

export type { McpHttpTransport } from './mcp-http-sessions.js';

export interface McpHttpListenerOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default '/mcp' */
  path?: string;
  /** The largest request body read. @default 4194304 (4 MiB) */
  maxBodyBytes?: number;
  /**
   * A session none of whose requests has been answered for this long is closed (a `GET` notification stream does not
   * count as use); its client's next request gets 404 and it starts a new session. `Number.POSITIVE_INFINITY` keeps
   * idle sessions. @default 1800000 (30 minutes)
   */
  sessionIdleMs?: number;
  /** Sessions open at once; an `initialize` past this is answered 503. @default 1000 */
  maxSessions?: number;
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

const DEFAULT_SESSION_IDLE_MS = 30 * 60 * 1000;
const DEFAULT_MAX_SESSIONS = 1000;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * @example
 * const listener = await listenMcpHttp({ port: 3000, connect: (transport) => createMyServer().connect(transport) });
 * console.error(`MCP on ${listener.url}`);
 */
export async function listenMcpHttp(options: McpHttpListenerOptions): Promise<McpHttpListener> {
  const limits = sessionLimits(options);
  const sdk = await loadMcpServerSdk();
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/mcp';
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const sessions = new McpHttpSessions(limits);

  const startSession = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readJson(request, maxBodyBytes);
    if (!body.ok) return sendRpcError(response, body.status, body.code, body.message);
    if (!sdk.isInitializeRequest(body.value)) {
      return sendRpcError(response, 400, -32000, 'Bad Request: no Mcp-Session-Id: start a session with initialize');
    }
    if (!sessions.reserve()) {
      const message = `Service unavailable: ${limits.maxSessions} MCP sessions are open, the most this server keeps (maxSessions); try again once a client closes its session`;
      return sendRpcError(response, 503, -32000, message, { 'retry-after': '60' });
    }
    try {
      const transport: McpHttpTransport = new sdk.StreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        onsessioninitialized: (id) => sessions.add(id, transport),
      });
      transport.onclose = () => {
        if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
      };
      await options.connect(transport);
      await transport.handleRequest(request, response, body.value);
    } finally {
      sessions.release();
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== path) return sendRpcError(response, 404, -32000, `Not found: the MCP endpoint is ${path}`);
    if (LOOPBACK.has(host) && !LOOPBACK.has(hostnameOf(request.headers.host))) {
      return sendRpcError(response, 403, -32000, `Forbidden: Host ${String(request.headers.host)} is not loopback`);
    }
    const sessionId = request.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const transport = sessions.use(sessionId, request.method, response);
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
  }).catch(async (error: unknown) => {
    await sessions.close();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}${path}`,
    port,
    sessions: () => sessions.size,
    close: async () => {
      await sessions.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const LISTENER_OPTIONS = ['port', 'host', 'path', 'maxBodyBytes', 'sessionIdleMs', 'maxSessions', 'connect'];

/** What is wrong with the options other than the session limits: unknown keys, a port, host, path or size not fit. */
function listenerProblems(options: McpHttpListenerOptions): Problem[] {
  const problems: Problem[] = unknownKeys(options, LISTENER_OPTIONS).map(({ key, path }) => ({
    path,
    code: 'unknown-option',
    message: `unknown option ${JSON.stringify(key.slice(0, 60))} (known: ${LISTENER_OPTIONS.join(', ')})`,
  }));
  const { port, host, path, maxBodyBytes } = options;
  const checks: [string, unknown, boolean, string][] = [
    [
      'port',
      port,
      Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535,
      'a whole number in [0, 65535]',
    ],
    ['host', host, typeof host === 'string' && host !== '', 'a host name or address'],
    ['path', path, typeof path === 'string' && path.startsWith('/'), 'a path starting with "/"'],
    [
      'maxBodyBytes',
      maxBodyBytes,
      Number.isInteger(maxBodyBytes) && (maxBodyBytes as number) > 0,
      'a whole number of bytes above 0',
    ],
  ];
  for (const [name, value, fits, what] of checks) {
    if (value !== undefined && !fits) {
      problems.push({ path: name, code: 'invalid', message: `${name} must be ${what}, got ${describeValue(value)}` });
    }
  }
  return problems;
}

/** The session limits of the options, once every option is checked: their problems together, as a ValidationError. */
function sessionLimits(options: McpHttpListenerOptions): McpHttpSessionLimits {
  const idleMs = options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS;
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  const problems: Problem[] = listenerProblems(options);
  if (typeof idleMs !== 'number' || Number.isNaN(idleMs) || idleMs <= 0) {
    problems.push({
      path: 'sessionIdleMs',
      code: 'range',
      message: `sessionIdleMs must be a number of milliseconds above 0 (Infinity keeps idle sessions), got ${describeValue(idleMs)}`,
    });
  }
  if (!Number.isInteger(maxSessions) || maxSessions < 1) {
    problems.push({
      path: 'maxSessions',
      code: 'range',
      message: `maxSessions must be a whole number of at least 1, got ${describeValue(maxSessions)}`,
    });
  }
  if (problems.length > 0) throw new ValidationError('invalid MCP HTTP listener options', problems);
  return { idleMs, maxSessions };
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

function sendRpcError(
  response: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
