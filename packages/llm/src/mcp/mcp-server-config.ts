/**
 * How to reach one MCP server: a command started over stdio, or a Streamable HTTP URL. Checked before anything is
 * started, every problem at once, each naming the field and the value given.
 */
import { closestName, describeValue, type Problem, ValidationError } from '@baton/core';
import { unknownKeys } from '../config/unknown-keys.js';

export interface McpServerConfig {
  /**
   * The server's name: the prefix of its tools' registry names (`<name>.<tool>`). Lowercase letters, digits and
   * `-`, starting and ending with a letter or digit, at most 64 characters.
   */
  name: string;
  /** The command that starts the server, spoken to over stdio (give this or `url`). */
  command?: string;
  args?: string[];
  /** Added to a minimal environment (PATH, HOME, …): the server does not inherit the rest of Baton's. */
  env?: Record<string, string>;
  cwd?: string;
  /** The server's Streamable HTTP endpoint, e.g. `http://127.0.0.1:3000/mcp` (give this or `command`). */
  url?: string;
  /** Sent with every HTTP request, e.g. `{ authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
}

const SERVER_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** The keys a server's configuration takes: any other is a typo, named rather than ignored. */
const KNOWN_KEYS = ['name', 'command', 'args', 'env', 'cwd', 'url', 'headers'] as const;

/** The problem of each server whose name an earlier one already has, at `<index>.name` below the servers' path. */
export function repeatedServerNames(servers: readonly unknown[]): { index: number; message: string }[] {
  const seen = new Set<string>();
  const repeated: { index: number; message: string }[] = [];
  servers.forEach((server, index) => {
    const name = (server as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') return;
    if (seen.has(name)) repeated.push({ index, message: `two servers are named "${name}"` });
    seen.add(name);
  });
  return repeated;
}

/**
 * Throws a `ValidationError` listing every problem of the configurations, or returns them as given.
 * @example
 * checkMcpServerConfigs([{ name: 'weather', command: 'node', args: ['weather-server.js'] }]);
 */
export function checkMcpServerConfigs(servers: unknown): readonly McpServerConfig[] {
  if (!Array.isArray(servers)) {
    throw new ValidationError('invalid MCP servers', [
      { path: 'servers', code: 'type', message: `servers must be an array, got ${describeValue(servers)}` },
    ]);
  }
  const repeated = new Map(repeatedServerNames(servers).map(({ index, message }) => [index, message]));
  const problems: Problem[] = servers.flatMap((server, index) => {
    const found = configProblems(server, `servers[${index}]`);
    const message = repeated.get(index);
    return message === undefined ? found : [...found, { path: `servers[${index}].name`, code: 'duplicate', message }];
  });
  if (problems.length > 0) throw new ValidationError('invalid MCP servers', problems);
  return servers as McpServerConfig[];
}

function configProblems(server: unknown, path: string): Problem[] {
  if (typeof server !== 'object' || server === null || Array.isArray(server)) {
    return [{ path, code: 'type', message: `a server must be an object, got ${describeValue(server)}` }];
  }
  const config = server as Record<string, unknown>;
  const problems: Problem[] = [];
  const add = (field: string, code: string, message: string) =>
    problems.push({ path: `${path}.${field}`, code, message });
  for (const { key } of unknownKeys(config, KNOWN_KEYS)) {
    const meant = closestName(key, KNOWN_KEYS);
    const hint = meant === undefined ? `known: ${KNOWN_KEYS.join(', ')}` : `did you mean "${meant}"?`;
    add(key, 'unknown-key', `unknown key ${describeValue(key)} (${hint})`);
  }
  const { name, command, url } = config;
  if (typeof name !== 'string' || name.length > 64 || !SERVER_NAME.test(name)) {
    add('name', 'pattern', `name must be lowercase letters, digits and "-" (at most 64), got ${describeValue(name)}`);
  }
  if ((command === undefined) === (url === undefined)) {
    add('command', 'one-of', 'give either command (a server over stdio) or url (Streamable HTTP), not both or none');
  }
  if (command !== undefined && (typeof command !== 'string' || command.trim() === '')) {
    add('command', 'type', `command must be a non-empty string, got ${describeValue(command)}`);
  }
  if (url !== undefined && !isHttpUrl(url)) {
    add('url', 'format', `url must be an http:// or https:// URL, got ${describeValue(url)}`);
  }
  if (config.cwd !== undefined && typeof config.cwd !== 'string') {
    add('cwd', 'type', `cwd must be a string, got ${describeValue(config.cwd)}`);
  }
  const args = config.args;
  if (args !== undefined && (!Array.isArray(args) || args.some((arg) => typeof arg !== 'string'))) {
    add('args', 'type', `args must be an array of strings, got ${describeValue(args)}`);
  }
  for (const field of ['env', 'headers'] as const) {
    const value = config[field];
    if (value !== undefined && !isStringRecord(value)) {
      add(field, 'type', `${field} must map names to strings, got ${describeValue(value)}`);
    }
  }
  return problems;
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function isStringRecord(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((entry) => typeof entry === 'string');
}
