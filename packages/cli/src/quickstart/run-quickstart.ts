/** What `baton quickstart` does, step by step (see `commands/quickstart-command.ts`). */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type BatonAdminClient, createAdminClient, createClient } from '@baton/sdk';
import { DatabaseInUseError, serverOptionsFromEnv, startServer } from '@baton/server';
import { EXIT_CODES } from '../exit-codes.js';
import { runAction } from '../follow/run-action.js';
import type { Io } from '../io.js';
import { listenUsageError } from '../listen-usage-error.js';
import { OrchestrationEndedError } from '../orchestration-ended-error.js';
import { ServerError } from '../server-error.js';
import { untilStopped, untilStoppedAgain } from '../until-stopped.js';
import { UsageError } from '../usage-error.js';
import { EXAMPLE_SERVICES } from './example-services.js';
import { EXAMPLE_TEMPLATES } from './example-templates.js';
import { readQuickstartState, writeQuickstartState } from './quickstart-state.js';
import { startServiceProcesses } from './service-processes.js';
import { closeWithin, cutShortLine, goingOnLines, keptLines, unfinishedOrchestrations } from './stop-quickstart.js';

export interface QuickstartOptions {
  port: number;
  dir: string;
  action: string;
}

export async function runQuickstart(io: Io, options: QuickstartOptions): Promise<void> {
  const folder = resolve(options.dir);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const state = await readQuickstartState(folder);
  const fromEnv = serverOptionsFromEnv();
  const server = await startServer({
    ...fromEnv,
    databaseUrl: join(folder, 'baton.db'),
    port: options.port,
    adminToken: state.adminToken,
    logger: false,
  }).catch((error: unknown) => {
    throw (
      listenUsageError(error, {
        port: 'npm start -- --port <port>, or BATON_PORT',
        host: 'BATON_HOST=<address> npm start',
      }) ??
      inUseUsageError(error, options.dir) ??
      error
    );
  });
  let services: Awaited<ReturnType<typeof startServiceProcesses>> | undefined;
  const closeAll = async () => {
    await services?.stop();
    await server.close();
  };
  let connection: { url: string; apiKey: string };
  try {
    const apiKey = await projectKey(server.url, state, folder);
    io.out(`Baton server on ${server.url} (SQLite: ${join(options.dir, 'baton.db')})`);
    for (const line of goingOnLines(await unfinishedOrchestrations({ url: server.url, apiKey }))) io.out(line);
    services = await startServiceProcesses(Object.keys(EXAMPLE_SERVICES), { url: server.url, apiKey });
    io.out(`Example services connected, each in its own process: ${services.names.join(', ')}`);
    connection = { url: server.url, apiKey };
    const client = createClient(connection);
    for (const template of EXAMPLE_TEMPLATES) {
      await client.planTemplates.remove(template.name).catch(() => {});
      await client.planTemplates.create(template);
    }
    io.out(`Plan templates registered: ${EXAMPLE_TEMPLATES.map((template) => template.name).join(', ')}`);
    io.out('');
    io.out(`$ baton run "${options.action}" --wait`);
    process.env.BATON_URL = server.url;
    process.env.BATON_API_KEY = apiKey;
    await runFirstAction(io, options.action);
    io.out('');
    // Listening before saying so: a Ctrl-C right after the last line must stop cleanly too.
    const stopped = untilStopped();
    for (const line of nextSteps(server.url, apiKey, state.adminToken, options.dir, fromEnv.planning !== undefined)) {
      io.out(line);
    }
    await stopped;
  } catch (error) {
    await closeAll();
    throw error;
  }
  await stopServing(io, closeAll, connection, join(options.dir, 'baton.db'));
}

/**
 * After the first Ctrl-C: closes cleanly, saying which orchestrations it hands back, or — at a second Ctrl-C or past
 * the grace — stops the process at once (exit 130), saying what it leaves unfinished for the next start.
 */
async function stopServing(
  io: Io,
  close: () => Promise<void>,
  connection: { url: string; apiKey: string },
  database: string,
): Promise<void> {
  const again = untilStoppedAgain(Date.now());
  io.out('Stopping the example services and the server… (Ctrl-C again to stop at once)');
  const unfinished = await unfinishedOrchestrations(connection);
  const ended = await closeWithin(close(), again.signal);
  again.cancel();
  if (ended === 'closed') {
    for (const line of keptLines(unfinished, database)) io.out(line);
    return;
  }
  io.err(cutShortLine(ended, unfinished, database));
  process.exit(EXIT_CODES.interrupted);
}

/**
 * Runs the first action; one the server refuses (no template covers it and no model is set) or that fails is told
 * in one line on stderr, and the quickstart keeps serving: the server and the services are still there to try.
 */
async function runFirstAction(io: Io, action: string): Promise<void> {
  try {
    await runAction(io, action, { wait: true });
  } catch (error) {
    if (!ServerError.isInstance(error) && !OrchestrationEndedError.isInstance(error)) throw error;
    io.err(`baton: the action "${action}" did not succeed, the quickstart keeps serving: ${error.message}`);
  }
}

/** The quickstart project's key: the one kept from an earlier run if it still works, else a new project's. */
async function projectKey(url: string, state: Awaited<ReturnType<typeof readQuickstartState>>, folder: string) {
  if (state.apiKey !== undefined) {
    const works = await createClient({ url, apiKey: state.apiKey, retry: false })
      .services()
      .then(
        () => true,
        () => false,
      );
    if (works) return state.apiKey;
  }
  const created = await createQuickstartProject(createAdminClient({ url, adminToken: state.adminToken }));
  const next = { ...state, projectId: created.project.id, apiKey: created.apiKey.key };
  await writeQuickstartState(folder, next);
  return next.apiKey;
}

/**
 * A new project named `quickstart`, or `quickstart-2`, `-3`… when an earlier run made one whose key no longer works
 * (project names are unique on a server).
 */
async function createQuickstartProject(admin: BatonAdminClient) {
  const taken = new Set((await admin.projects()).map((project) => project.name));
  let name = 'quickstart';
  for (let n = 2; taken.has(name); n += 1) name = `quickstart-${n}`;
  return admin.createProject(name);
}

function nextSteps(url: string, apiKey: string, adminToken: string, folder: string, hasModel: boolean): string[] {
  return [
    'Baton keeps serving. Try next, in another terminal (from this folder):',
    `  export BATON_URL=${url} BATON_API_KEY=${apiKey}`,
    `  npx baton run "What's the weather in Paris?" --wait`,
    '  npx baton run "Convert 100 USD to EUR" --wait',
    '  npx baton ps                       # every orchestration; baton inspect <id> shows one',
    '  npx baton templates ls             # the plan templates that answered',
    `  curl -H "Authorization: Bearer $BATON_API_KEY" ${url}/v1/orchestrations`,
    `  The admin token (for baton projects), kept in ${join(folder, 'state.json')}: export BATON_ADMIN_TOKEN=${adminToken}`,
    `  The HTTP API, to try in the browser: ${url}/docs`,
    hasModel
      ? '  A model plans what no template covers (BATON_LLM_MODEL is set).'
      : '  To have a model plan what no template covers, start again with BATON_LLM_BASE_URL and BATON_LLM_MODEL set (and BATON_LLM_API_KEY if it needs one): any OpenAI-compatible endpoint.',
    'Press Ctrl-C to stop.',
  ];
}

/** A quickstart whose folder another one (or a server) is using: a usage mistake that says what to do. */
function inUseUsageError(error: unknown, dir: string): UsageError | undefined {
  if (!DatabaseInUseError.isInstance(error)) return undefined;
  const url = error.holder?.url;
  const running = url === undefined ? 'another quickstart' : `a quickstart on ${url}`;
  return new UsageError(
    `${running} is already using ${dir}: use that one, stop it first (Ctrl-C where it runs), or give this one a folder of its own (npm start -- --dir <folder>)`,
    { cause: error },
  );
}
