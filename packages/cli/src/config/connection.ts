/**
 * Which server a command talks to, and with which credential: `BATON_URL` and `BATON_API_KEY` over the file
 * `baton login` wrote; the admin token from `--admin-token` or `BATON_ADMIN_TOKEN` (never saved). The saved key goes
 * only to the server it was saved for: a `BATON_URL` naming another server gets no key from the file.
 */
import { UsageError } from '../usage-error.js';
import { type CliConfig, configPath, readConfig } from './cli-config.js';
import { sameServer } from './server-url.js';

export interface ProjectConnection {
  url: string;
  apiKey: string;
}

export interface AdminConnection {
  url: string;
  adminToken: string;
}

const fromEnv = (name: string): string | undefined => {
  const value = process.env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

/**
 * The server's base URL: `…/v1` is the API under it, and `127.0.0.1:7400` lacks its scheme, common slips refused with
 * what to write instead (`from` says where the URL came from).
 */
function baseUrl(url: string | undefined, from: string): string | undefined {
  if (url === undefined) return url;
  if (!/^https?:\/\//i.test(url)) {
    const shown = url.length > 200 ? `${url.slice(0, 200)}…` : url;
    const meant = /^[\w.-]+(:\d+)?(\/|$)/.test(url) ? `: use http://${shown}` : ', such as http://127.0.0.1:7400';
    throw new UsageError(`the server URL ${JSON.stringify(shown)} (${from}) is not an http(s) URL${meant}`);
  }
  if (!/\/v1\/?$/.test(url)) return url;
  throw new UsageError(`the server URL is its base, without /v1: use ${url.replace(/\/v1\/?$/, '')} instead of ${url}`);
}

/** The server's URL and the project key, or `undefined` for each that is not set anywhere. */
export async function configuredConnection(): Promise<Partial<ProjectConnection>> {
  return connectionFrom(await readConfig());
}

function connectionFrom(saved: Partial<CliConfig>): Partial<ProjectConnection> {
  const env = fromEnv('BATON_URL');
  const url = baseUrl(env ?? saved.url, env === undefined ? `saved in ${configPath()}` : 'BATON_URL');
  const apiKey = fromEnv('BATON_API_KEY') ?? savedKeyFor(url, saved);
  return { ...(url === undefined ? {} : { url }), ...(apiKey === undefined ? {} : { apiKey }) };
}

/** The saved key when it was saved for this server: a key is never sent to a server it was not given for. */
function savedKeyFor(url: string | undefined, saved: Partial<CliConfig>): string | undefined {
  if (url === undefined || saved.url === undefined || saved.apiKey === undefined) return undefined;
  return sameServer(url, saved.url) ? saved.apiKey : undefined;
}

/** The connection for project commands; a `UsageError` that says how to set one when it is missing. */
export async function projectConnection(): Promise<ProjectConnection> {
  const saved = await readConfig();
  const { url, apiKey } = connectionFrom(saved);
  if (url !== undefined && apiKey === undefined && saved.url !== undefined && saved.apiKey !== undefined) {
    throw new UsageError(
      `no API key is known for ${url} (the saved key is for ${saved.url} only): set BATON_API_KEY to a key of its project, or run baton login --url ${url} --key KEY`,
    );
  }
  if (url === undefined || apiKey === undefined) {
    const missing = url === undefined ? 'server URL' : 'API key';
    throw new UsageError(
      `no ${missing} configured: run baton login --url URL --key KEY (saved in ${configPath()}), or set BATON_URL and BATON_API_KEY`,
    );
  }
  return { url, apiKey };
}

/** The connection for admin commands: the URL as for project commands, the token from the option or the env. */
export async function adminConnection(adminTokenOption: string | undefined): Promise<AdminConnection> {
  const { url } = await configuredConnection();
  if (url === undefined) {
    throw new UsageError(
      `no server URL configured: run baton login --url URL --key KEY (saved in ${configPath()}), or set BATON_URL`,
    );
  }
  const adminToken = adminTokenOption?.trim() || fromEnv('BATON_ADMIN_TOKEN');
  if (adminToken === undefined) {
    throw new UsageError('this command needs the admin token: pass --admin-token TOKEN or set BATON_ADMIN_TOKEN');
  }
  return { url, adminToken };
}
