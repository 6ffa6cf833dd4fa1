/**
 * For the MCP tests: the fixture server (`__fixtures__/fixture-mcp-server.ts`) as a stdio command (its entry bundled
 * once by `test/children/child-process.ts`) or on Streamable HTTP on loopback, and an event log that a test waits on
 * by condition, never by time.
 */
import { fileURLToPath } from 'node:url';
import { childBundle } from '../../../../test/children/child-process.js';
import { createFixtureMcpServer } from './__fixtures__/fixture-mcp-server.js';
import type { McpConnectionEvent } from './mcp-connection-event.js';
import { listenMcpHttp, type McpHttpListener } from './mcp-http-listener.js';
import type { McpServerConfig } from './mcp-server-config.js';

const STDIO_ENTRY = fileURLToPath(new URL('./__fixtures__/stdio-mcp-server.ts', import.meta.url));

/** The fixture as a stdio server named `name`. */
export function fixtureStdioServer(name: string): McpServerConfig {
  return { name, command: process.execPath, args: [childBundle(STDIO_ENTRY)] };
}

/** The fixture on Streamable HTTP (a new `McpServer` per session), on `port` (0: a free one). */
export function startFixtureHttpServer(port = 0): Promise<McpHttpListener> {
  return listenMcpHttp({ port, connect: (transport) => createFixtureMcpServer().connect(transport) });
}

export interface EventLog {
  readonly events: McpConnectionEvent[];
  readonly push: (event: McpConnectionEvent) => void;
  /** The first event from index `from` on that matches. */
  next<T extends McpConnectionEvent['type']>(
    type: T,
    match?: (event: Extract<McpConnectionEvent, { type: T }>) => boolean,
    from?: number,
  ): Promise<Extract<McpConnectionEvent, { type: T }>>;
}

export function eventLog(): EventLog {
  const events: McpConnectionEvent[] = [];
  const waiting = new Set<() => void>();
  return {
    events,
    push: (event) => {
      events.push(event);
      for (const check of [...waiting]) check();
    },
    next: (type, match = () => true, from = 0) =>
      new Promise((resolve) => {
        const check = () => {
          const found = events
            .slice(from)
            .find((event) => event.type === type && match(event as Extract<McpConnectionEvent, { type: typeof type }>));
          if (found === undefined) return;
          waiting.delete(check);
          resolve(found as Extract<McpConnectionEvent, { type: typeof type }>);
        };
        waiting.add(check);
        check();
      }),
  };
}
