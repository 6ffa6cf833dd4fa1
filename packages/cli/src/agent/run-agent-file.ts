/**
 * `baton run agent.yaml --query "…"`: the agent a file declares, run on an engine in this process. Its runs live in a
 * SQLite file under `.baton/agents/` (one per agent), so a run cut short by a crash is resumed by the next
 * `baton run` of the same file (with `--run-id`, that run is followed to its end); `--memory` keeps them in memory.
 * A run records a digest of the file it runs, and a `--run-id` whose file has changed since is refused: the run would
 * go on half-way with another model, prompt or tools.
 * Tool calls and model choices print as they happen, and the answer as the model writes it (`agent-printer.ts`);
 * `--json` prints each event as a JSON line (`text-delta` ones too), then `{ "type": "result", … }` — or, when the
 * run failed, `{ "type": "error", runId, error }`, and when it could not start (a bad file, no `--query`),
 * `{ "type": "error", error }`: the last line on stdout always says how it ended.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { RunStore } from '@baton/core';
import type { AgentOutput } from '@baton/llm';
import { EXIT_CODES } from '../exit-codes.js';
import { InputError } from '../input-error.js';
import type { Io } from '../io.js';
import { unreadableReason } from '../options/read-text-file.js';
import { OrchestrationEndedError } from '../orchestration-ended-error.js';
import { clip } from '../render/text-format.js';
import { UsageError } from '../usage-error.js';
import { AgentPrinter } from './agent-printer.js';

export interface AgentRunOptions {
  query?: string;
  json?: boolean;
  /** Keep the run in memory instead of `.baton/agents/<name>.db`. */
  memory?: boolean;
  /** Names the run: a later call with the same id follows (or resumes) it instead of starting another. */
  runId?: string;
  /** The run's deadline in ms. */
  timeout?: number;
}

/** A leased run of a process that died is taken over this long after its last heartbeat. */
const LEASE_MS = 3000;

/** `trip-planner.yaml` → `trip-planner`: the agent's name when its file gives none. */
function nameFromPath(path: string): string {
  const name = basename(path)
    .replace(/\.ya?ml$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-');
  return name.replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'agent';
}

async function readAgentFile(path: string) {
  const { loadAgentFile } = await import('@baton/llm');
  try {
    return await loadAgentFile(path);
  } catch (error) {
    const why = unreadableReason(error);
    if (why !== undefined) throw new InputError(path, `cannot read the agent file "${path}": ${why}`, { cause: error });
    throw error;
  }
}

/** The agent's run store, and how to close it when the agent never ran: a file this call made is removed again. */
interface AgentRuns {
  store: RunStore | undefined;
  discard(): Promise<void>;
}

async function openRuns(name: string, memory: boolean | undefined): Promise<AgentRuns> {
  if (memory) return { store: undefined, discard: async () => {} };
  const { openStore } = await import('@baton/core');
  const folder = resolve('.baton', 'agents');
  const file = join(folder, `${name}.db`);
  const existed = await stat(file).then(
    () => true,
    () => false,
  );
  // The first folder this call made, if any: `.baton` or `.baton/agents`.
  const made = await mkdir(folder, { recursive: true });
  const store = await openStore({ url: file });
  return {
    store,
    async discard() {
      await store.close();
      if (existed) return;
      // An agent file that failed its checks leaves nothing behind: not the database, nor the folders made for it.
      await Promise.all(['', '-wal', '-shm'].map((suffix) => rm(`${file}${suffix}`, { force: true })));
      if (made === undefined) return;
      await rmdir(folder).catch(() => {});
      if (made !== folder) await rmdir(made).catch(() => {});
    },
  };
}

/**
 * @example
 * await runAgentFile(processIo(), 'agent.yaml', { query: 'Will it rain in Oslo tomorrow?' });
 */
export async function runAgentFile(io: Io, path: string, options: AgentRunOptions): Promise<void> {
  try {
    await runAgent(io, path, options);
  } catch (error) {
    // A failed run has printed its own error line, with its id.
    if (options.json && !(error instanceof OrchestrationEndedError)) {
      io.out(JSON.stringify({ type: 'error', error: errorJson(error) }));
    }
    throw error;
  }
}

async function runAgent(io: Io, path: string, options: AgentRunOptions): Promise<void> {
  const query = options.query?.trim();
  if (!query) throw new UsageError(`give the question with --query "…" to run the agent file ${path}`);
  const file = await readAgentFile(path);
  const [{ createEngine, createRegistry }, { agentFromFile }] = await Promise.all([
    import('@baton/core'),
    import('@baton/llm'),
  ]);
  // The stored run is looked at before any MCP server is started: a --run-id that answers another question stops here.
  const name = file.name ?? nameFromPath(path);
  const { canonicalJson } = await import('@baton/core');
  const fileDigest = createHash('sha256').update(canonicalJson(file)).digest('hex');
  const runs = await openRuns(name, options.memory);
  const { store } = runs;
  const runId = options.runId ?? randomUUID();
  const registry = createRegistry();
  let agent: Awaited<ReturnType<typeof agentFromFile>>;
  try {
    if (store && options.runId) await refuseAnotherRun(store, runId, { path, query, fileDigest });
    agent = await agentFromFile(file, { registry, name, baseDir: dirname(resolve(path)), stream: true });
  } catch (error) {
    await runs.discard();
    throw error;
  }
  const printer = new AgentPrinter(io, runId, options.json === true);
  registry.register(agent.definition);
  const engine = createEngine({
    registry,
    ...(store ? { store, leaseMs: LEASE_MS } : {}),
    onEvent: (event) => printer.event(event),
    onNotice: () => {},
  });
  // Ctrl-C stops this process, not a stored run: say how to go on with it (a run without a store is gone).
  const onInterrupt = () => {
    io.err(
      store
        ? `baton: stopped; the agent's run ${runId} is kept: baton run ${path} --query ${JSON.stringify(query)} --run-id ${runId} goes on with it`
        : `baton: stopped; the agent's run ${runId} was kept in memory (--memory) and is gone`,
    );
    process.exit(EXIT_CODES.interrupted);
  };
  process.once('SIGINT', onInterrupt);
  try {
    if (store) await engine.start();
    const plan = { steps: [{ id: 'agent', target: agent.definition.name, input: { query } }] };
    const handle = engine.run(
      plan,
      { agentFile: fileDigest },
      {
        runId,
        ...(store ? { idempotencyKey: runId } : {}),
        ...(options.timeout ? { deadline: options.timeout } : {}),
      },
    );
    const result = await handle.result().catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      // The last JSON line says how the run ended, as `result` does when it succeeds.
      if (options.json) io.out(JSON.stringify({ type: 'error', runId, error: errorJson(error) }));
      throw new OrchestrationEndedError(runId, 'failed', `the agent's run ${runId} failed: ${message}`);
    });
    printer.result((result.output as { agent: AgentOutput }).agent);
  } finally {
    process.off('SIGINT', onInterrupt);
    await engine.close();
    await store?.close();
    await agent.close();
  }
}

/** A run's error as JSON: a Baton error's own fields (code, retryable, cause…), else its message. */
function errorJson(error: unknown): unknown {
  if (typeof (error as { toJSON?: unknown } | null)?.toJSON === 'function')
    return (error as { toJSON(): unknown }).toJSON();
  return { message: error instanceof Error ? error.message : String(error) };
}

/**
 * The same `--run-id` follows (or resumes) its run: with another question it would answer the old one, and with the
 * file changed since it started it would go on with another agent, so either is refused.
 */
async function refuseAnotherRun(
  store: RunStore,
  runId: string,
  given: { path: string; query: string; fileDigest: string },
): Promise<void> {
  const stored = await store.getRun(runId);
  if (stored === undefined) return;
  const asked = (stored.plan as { steps?: { input?: { query?: unknown } }[] } | undefined)?.steps?.[0]?.input?.query;
  if (asked !== undefined && asked !== given.query) {
    throw new UsageError(
      `run ${runId} answers another question (${JSON.stringify(clip(String(asked), 120))}): give a new --run-id for this one, or the same --query to follow it`,
    );
  }
  // Runs started before files were recorded carry no digest.
  const ranFile = (stored.request as { agentFile?: unknown } | null | undefined)?.agentFile;
  if (typeof ranFile === 'string' && ranFile !== given.fileDigest) {
    throw new UsageError(
      `run ${runId} was started from another version of ${given.path}: the file has changed since, and the run would go on with another model, prompt or tools; give a new --run-id, or put the file back as it was to follow it`,
    );
  }
}
