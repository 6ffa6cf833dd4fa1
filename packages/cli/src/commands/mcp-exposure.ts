/**
 * What `baton mcp serve --http` says when `--host` is not a loopback address: its endpoint takes no credentials, so
 * anyone who can reach the address can call every target it serves.
 */
import { isIP } from 'node:net';

const LOOPBACK_NAMES = new Set(['localhost', 'ip6-localhost', 'ip6-loopback']);

/** Whether only this machine can reach `host`: `localhost`, 127.0.0.0/8, `::1`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (LOOPBACK_NAMES.has(bare)) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1' || bare.startsWith('::ffff:127.');
  return false;
}

/** The warning for `host`, or undefined when it is loopback. */
export function exposureWarning(host: string): string | undefined {
  if (isLoopbackHost(host)) return undefined;
  return (
    `baton: warning: --host ${host} lets other machines reach this MCP server, which asks no credentials: anyone ` +
    'who can reach it can call every target it serves; keep it behind a proxy that authenticates, or serve on 127.0.0.1'
  );
}
