/**
 * Bench child: a Baton server in its own process (its RSS and event loop its own), with a project and its key.
 * Argument: `{ databaseUrl, adminToken, secretKey? }`. Ready: `{ url, projectId, apiKey }`.
 *
 * It also takes one dispatch sample on request: `{ type: 'dispatch', service, input }` runs a one-step plan on the
 * project's `service` through the server's engine and answers `{ type: 'dispatched', ms, output }`, timed here from
 * `engine.run(plan)` to `result()`, so the bench process's other work never runs inside the server's process. The
 * plan is compiled once (`engine.compile`) and run many times: what is timed is the dispatch, not plan validation.
 */
import { scopedTargetName, startServer } from '@baton/server';
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
// Compiled once per service and input, as an application that runs one plan many times does (`engine.compile`).
const plans = new Map<string, ReturnType<typeof server.engine.compile>>();
process.on('message', async (message: { type?: string; service?: string; input?: unknown }) => {
  if (message.type !== 'dispatch') return;
  const key = JSON.stringify([message.service, message.input]);
  let plan = plans.get(key);
  if (plan === undefined) {
    const target = `${scopedTargetName(body.project.id, message.service ?? '')}@1.0.0`;
    plan = server.engine.compile({ steps: [{ id: 'a', target, input: message.input }] });
    plans.set(key, plan);
  }
  const start = process.hrtime.bigint();
  const { output } = await server.engine.run(plan).result();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  sendToParent({ type: 'dispatched', ms, output });
});
sendToParent({ type: 'ready', url: server.url, projectId: body.project.id, apiKey: body.apiKey.key });
