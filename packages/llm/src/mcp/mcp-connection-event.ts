/** What `connectMcpServers` reports about its servers, in the order it happens (`onEvent`, `subscribe`). */
import type { SkippedMcpTool } from './mcp-tool-set.js';

export type McpConnectionEvent =
  /** Connected (first time or again) and its tools registered; `tools` is how many it holds. */
  | { type: 'server-connected'; server: string; tools: number; reconnected: boolean }
  /** The connection dropped: its tools are marked down until it is back. */
  | { type: 'server-disconnected'; server: string; reason: string }
  /** One reconnection attempt failed; the next comes after `delayMs`. */
  | { type: 'server-reconnect-failed'; server: string; attempt: number; delayMs: number; error: string }
  /** `tools/list` changed (a `list_changed` notification, or a reconnection found other tools). */
  | { type: 'tools-changed'; server: string; added: string[]; removed: string[]; replaced: string[] }
  /** A tool that could not be registered (see `SkippedMcpTool.reason`). */
  | ({ type: 'tool-skipped'; server: string } & SkippedMcpTool)
  /** Closed by `close()`: its tools are unregistered. */
  | { type: 'server-closed'; server: string };
