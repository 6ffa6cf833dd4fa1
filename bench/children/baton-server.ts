/**
 * Bench child: a Baton server in its own process (its RSS and event loop its own), with a project and its key.
 * Argument: `{ databaseUrl, adminToken, secretKey? }`. Ready: `{ url, projectId, apiKey }`.
 */
import { startServer } from '@baton/server';
import { childArgs, sendToParent, serveParent } from './child-ipc.js';

const { databaseUrl, adminToken, secretKey } = childArgs<{
  databaseUrl: string;
  adminToken: string;
  secretKey?: string;
}>();
const server = await startServer({
  databaseUrl,
  adminToken,
  port: 0,
  logger: false,
  // The default 1000 requests/s per key would cap the load generator, not the server.
  requestsPerSecond: 1_000_000,
  ...(secretKey === undefined ? {} : { secretKey }),
});
const created = await fetch(`${server.url}/v1/projects`, {
  method: 'POST',
  headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'bench' }),
});
if (!created.ok) throw new Error(`creating the bench project failed: ${created.status} ${await created.text()}`);
const body = (await created.json()) as { project: { id: string }; apiKey: { key: string } };
serveParent(() => server.close());
sendToParent({ type: 'ready', url: server.url, projectId: body.project.id, apiKey: body.apiKey.key });
