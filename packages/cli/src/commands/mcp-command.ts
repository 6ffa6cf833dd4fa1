/**
 * `baton mcp serve [--http <port> [--session-idle <seconds>] [--max-sessions <n>]] [--targets <module>]`: Baton as an
 * MCP server. The targets an ES module exports
 * (or its registry) are tools run through the engine; with a configured server connection (`baton login`, or
 * `BATON_URL` + `BATON_API_KEY`) its services are tools too, with tools to run, read and cancel orchestrations.
 * Over stdio (the default) stdout carries MCP frames only: every message goes to stderr.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { InputError } from '../input-error.js';
import type { Io } from '../io.js';
import { port, positiveInteger } from '../options/parse-options.js';
import { untilStopped } from '../until-stopped.js';
import { UsageError } from '../usage-error.js';
import { exposureWarning } from './mcp-exposure.js';

interface ServeOptions {
  http?: number;
  host: string;
  sessionIdle?: number;
  maxSessions?: number;
  targets?: string;
  server: boolean;
}

export function registerMcpCommands(program: Command, io: Io): void {
  const mcp = program.command('mcp').description('Baton and the Model Context Protocol');
  mcp
    .command('serve')
    .description("serve registered targets (and a Baton server's services and orchestrations) as MCP tools")
    .option('--http <port>', 'serve Streamable HTTP on this port (0: a free one) instead of stdio', port('--http'))
    .option(
      '--host <host>',
      'the address --http listens on (the endpoint asks no credentials: keep it on loopback)',
      '127.0.0.1',
    )
    .option(
      '--session-idle <seconds>',
      'close an --http session none of whose requests was answered for this long (default: 1800)',
      positiveInteger('--session-idle'),
    )
    .option(
      '--max-sessions <n>',
      'the most --http sessions open at once; past it, initialize is answered 503 (default: 1000)',
      positiveInteger('--max-sessions'),
    )
    .option('--targets <module>', 'an ES module exporting target definitions or a registry')
    .option('--no-server', "leave out the configured Baton server's services and orchestrations")
    .addHelpText(
      'after',
      "\nExamples:\n  $ baton mcp serve --targets ./targets.mjs            (stdio, for an MCP client to start)\n  $ baton mcp serve --http 3001                         (the logged-in server's services, on http://127.0.0.1:3001/mcp)\n  $ baton mcp serve --http 3001 --session-idle 300      (sessions idle for 5 minutes are closed)",
    )
    .action((options: ServeOptions) => serveMcp(options, io));
  mcp.addHelpText('after', '\nExample:\n  $ baton mcp serve --targets ./targets.mjs');
}

async function serveMcp(options: ServeOptions, io: Io): Promise<void> {
  const sessionOption = options.sessionIdle !== undefined ? '--session-idle' : '--max-sessions';
  if (options.http === undefined && (options.sessionIdle ?? options.maxSessions) !== undefined) {
    throw new UsageError(`${sessionOption} applies to Streamable HTTP sessions: add --http <port>`);
  }
  const { createBatonMcpServer, registryFromModule } = await import('@baton/llm');
  const registry = options.targets === undefined ? undefined : await loadTargets(options.targets, registryFromModule);
  const { configuredConnection } = await import('../config/connection.js');
  const connection = options.server ? await configuredConnection() : {};
  if (connection.url === undefined || connection.apiKey === undefined) {
    if (registry === undefined) {
      throw new UsageError(
        'nothing to serve: pass --targets MODULE, or log in to a server (baton login, or BATON_URL and BATON_API_KEY)',
      );
    }
    return serve(createBatonMcpServer({ registry }), options, io, counted(registry.list().length, 'target'));
  }
  const { withProjectClient } = await import('../remote/server-clients.js');
  const chosen = { url: connection.url, apiKey: connection.apiKey };
  await withProjectClient(async (baton) => {
    const services = await baton.services();
    const what = `${counted(registry?.list().length ?? 0, 'target')}, ${counted(services.length, 'service')} of ${chosen.url}`;
    await serve(createBatonMcpServer({ ...(registry ? { registry } : {}), baton }), options, io, what);
  }, chosen);
}

const counted = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

async function loadTargets(path: string, registryFromModule: typeof import('@baton/llm').registryFromModule) {
  let exports: Record<string, unknown>;
  try {
    exports = await import(pathToFileURL(resolve(path)).href);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why =
      code === 'ERR_MODULE_NOT_FOUND' && !existsSync(resolve(path))
        ? 'no such file'
        : code === 'ERR_UNKNOWN_FILE_EXTENSION'
          ? 'node runs JavaScript modules: compile it to .js or .mjs first (or run baton under tsx)'
          : (error as Error).message;
    throw new InputError(path, `--targets: cannot load ${path}: ${why}`, { cause: error });
  }
  return registryFromModule(exports, path);
}

type McpServer = ReturnType<typeof import('@baton/llm').createBatonMcpServer>;

/** Serves until SIGINT/SIGTERM, or (stdio) until the client closes stdin. */
async function serve(server: McpServer, options: ServeOptions, io: Io, what: string): Promise<void> {
  const stopped = untilStopped();
  if (options.http === undefined) {
    await server.serveStdio();
    io.err(`Baton MCP server on stdio: ${what}`);
    await Promise.race([stopped, new Promise((done) => process.stdin.once('end', done).once('close', done))]);
  } else {
    const limits = {
      ...(options.sessionIdle === undefined ? {} : { sessionIdleMs: options.sessionIdle * 1000 }),
      ...(options.maxSessions === undefined ? {} : { maxSessions: options.maxSessions }),
    };
    const listening = server.listen({ port: options.http, host: options.host, ...limits });
    const listener = await listening.catch((error: unknown) => {
      const code = (error as { code?: string }).code;
      if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') throw error;
      const why =
        code === 'EADDRINUSE' ? 'is in use' : code === 'EACCES' ? 'needs privileges' : 'is not on this machine';
      throw new UsageError(`--http: ${options.host}:${options.http} ${why}; pick another port`, {
        cause: error,
      });
    });
    io.err(`Baton MCP server on ${listener.url}: ${what}`);
    const warning = exposureWarning(options.host);
    if (warning !== undefined) io.err(warning);
    await stopped;
  }
  await server.close();
}
