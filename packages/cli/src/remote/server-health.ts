/** `GET /health` read as Baton's answer (`{ status: 'ok', version }`); anything else is not a Baton server. */
import type { BatonClient } from '@baton/sdk';
import { ServerError } from '../server-error.js';

/** The server's version; a `ServerError` (unreachable) when the answer is not a healthy Baton server's. */
export async function checkHealth(client: BatonClient, url: string): Promise<string> {
  const health = await client.health();
  const body = health.body as { status?: unknown; version?: unknown } | null;
  if (health.ok && typeof body === 'object' && body !== null && body.status === 'ok') {
    return typeof body.version === 'string' ? body.version : 'of unknown version';
  }
  throw new ServerError(
    'unreachable',
    `${url}/health answered ${health.status} without {"status":"ok"}: is ${url} a Baton server?`,
    { status: health.status },
  );
}
