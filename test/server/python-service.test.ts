/**
 * A service written in Python from docs/protocol.md alone — examples/python/baton_service.py, standard library only,
 * its own WebSocket client included — against a real server process: it registers `word-count`, runs the steps of
 * explicit plans (two in parallel, then one joining them), answers a task it refuses with a `task-error` the step
 * fails with, and comes back after its socket is cut (sending then the result its handler finished meanwhile) and
 * after it is killed and started again, re-attaching under the instance id the server gave it, so the orchestrations
 * submitted meanwhile still complete.
 *
 * The Python service runs with `BATON_TRACE=1`: it prints every message in and out, and what it does, one line each.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  cleanUpAfterEachTest,
  createProject,
  cuttableTcpProxy,
  freePort,
  SECRET_KEY,
  type ServerProcess,
  startServerProcess,
  waitUntil,
} from './process-kit.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = 'examples/python/baton_service.py';
const PYTHON = process.env.PYTHON ?? 'python3';

const cleanups = cleanUpAfterEachTest();

/** What every Python process started by the current test printed, shown when the test fails. */
const pythonOutput: PythonService[] = [];
afterEach((context) => {
  const report = pythonOutput
    .splice(0)
    .map((python) => `--- ${python.name}\n${python.lines.slice(-80).join('\n')}`)
    .join('\n');
  if (context.task.result?.state === 'fail') console.error(report);
});

let pythonChecked = false;

/** No skipping: the example is part of what Baton promises, so without Python every test fails, saying why. */
function requirePython(): void {
  if (pythonChecked) return;
  const check = spawnSync(PYTHON, ['-c', 'import sys; sys.exit(0 if sys.version_info >= (3, 8) else 1)'], {
    encoding: 'utf8',
  });
  if (check.error !== undefined || check.status !== 0) {
    const why = check.error?.message ?? `it exited with ${check.status}: ${check.stderr}`;
    throw new Error(`these tests run ${SCRIPT} and need Python 3.8 or newer as "${PYTHON}" (or $PYTHON): ${why}`);
  }
  pythonChecked = true;
}

interface PythonService {
  readonly name: string;
  /** Every line it printed so far, stdout and stderr together. */
  readonly lines: string[];
  /** The first line from index `from` on that matches; fails if the process exits first. */
  waitFor(match: RegExp, from?: number): Promise<string>;
  /** SIGKILL, then waits until the process is gone. */
  kill(): Promise<void>;
  /** SIGINT (Ctrl-C), then waits until the process is gone; resolves with its exit code. */
  interrupt(): Promise<number | null | undefined>;
}

/** `python3 examples/python/baton_service.py`, or python3 with `args`, from the repository's root. */
function startPython(name: string, env: Record<string, string>, args = [SCRIPT]): PythonService {
  const child: ChildProcess = spawn(PYTHON, args, {
    cwd: ROOT,
    // No byte-code files left in examples/python by the test that imports the library.
    env: { ...process.env, ...env, BATON_TRACE: '1', PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffered = '';
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      lines.push(...parts);
    });
  }
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exitCode = code ?? (signal === null ? null : -1);
      resolve();
    }),
  );
  const kill = async () => {
    if (exitCode === undefined) child.kill('SIGKILL');
    await exited;
  };
  cleanups.push(kill);
  const python: PythonService = {
    name,
    lines,
    kill,
    interrupt: async () => {
      if (exitCode === undefined) child.kill('SIGINT');
      await exited;
      return exitCode;
    },
    waitFor: (match, from = 0) =>
      waitUntil(`${name} to print ${match}`, () => {
        const found = lines.slice(from).find((line) => match.test(line));
        if (found === undefined && exitCode !== undefined) {
          throw new Error(`${name} exited (${exitCode}) before printing ${match}:\n${lines.join('\n')}`);
        }
        return found;
      }),
  };
  pythonOutput.push(python);
  return python;
}

/** `registered <name>@<revision> as instance <id> (…)`: what the service prints for each `welcome`. */
const REGISTERED = /^registered \S+@\d+ as instance (\S+) /;

async function instanceIdOf(python: PythonService, from = 0): Promise<string> {
  return REGISTERED.exec(await python.waitFor(REGISTERED, from))![1]!;
}

/**
 * A service built on the example's library (imported, as a user would), for the test that cuts the socket while a
 * task runs: `word-count-held` counts words like the example, but first prints `hold <taskId>` and waits until the
 * file `<BATON_GO_DIR>/<holdFor>` exists.
 */
const HELD_SERVICE = `
import os, sys
sys.path.insert(0, os.path.join(os.getcwd(), "examples", "python"))
from baton_service import BatonService, log

def count_when_told(task_input, context):
    log(f"hold {context.task_id}")
    go = os.path.join(os.environ["BATON_GO_DIR"], task_input["holdFor"])
    while not os.path.exists(go):
        context.sleep(0.02)
    return {"words": len(task_input["text"].split())}

service = BatonService(name="word-count-held", description="Counts words when told to", handler=count_when_told,
                       trace=True)
sys.exit(service.run([os.environ["BATON_URL"]], os.environ["BATON_API_KEY"], os.environ["BATON_STATE_DIR"]))
`;

interface Step {
  id: string;
  status: string;
  service: string | null;
  attempts: number;
  output?: unknown;
  error: { code: string; message: string; retryable: boolean; cause?: Record<string, unknown> } | null;
}

interface Orchestration {
  id: string;
  status: string;
  parallelGroups: string[][];
  steps: Step[];
  result?: unknown;
  error: { code: string; message: string } | null;
}

const ENDED = ['succeeded', 'failed', 'cancelled'];

/** A server child on a fresh SQLite file with 1 s heartbeats, a project, and HTTP helpers with its key. */
async function setUp() {
  requirePython();
  const dir = mkdtempSync(join(tmpdir(), 'baton-python-service-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const server: ServerProcess = await startServerProcess('server', {
    databaseUrl: join(dir, 'baton.db'),
    port,
    adminToken: ADMIN_TOKEN,
    secretKey: SECRET_KEY,
    heartbeatMs: 1000,
    // Long: a task submitted while the service is away waits for it to come back.
    serviceGraceMs: 120_000,
  });
  const apiKey = await createProject(server.url, 'python-service');
  const request = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text);
  };
  return {
    server,
    port,
    dir,
    /** The environment of a Python service connecting to `url` (the server's by default). */
    pythonEnv: (url = server.url): Record<string, string> => ({
      BATON_URL: url,
      BATON_API_KEY: apiKey,
      BATON_STATE_DIR: join(dir, 'python-state'),
    }),
    /** Submits an explicit plan; resolves with the orchestration's id once the server accepted it (202). */
    orchestrate: async (plan: unknown, data: unknown = {}): Promise<string> =>
      (await request('POST', '/v1/orchestrations', { action: { content: 'Count words' }, data, plan })).id,
    get: (id: string): Promise<Orchestration> => request('GET', `/v1/orchestrations/${id}`),
    /** The orchestration once it has ended (each GET holds until then, or 30 s). */
    ended: (id: string): Promise<Orchestration> =>
      waitUntil(`orchestration ${id} to end`, async () => {
        const orchestration: Orchestration = await request('GET', `/v1/orchestrations/${id}?waitMs=30000`);
        return ENDED.includes(orchestration.status) ? orchestration : undefined;
      }),
    /** The connected instances of a service (`word-count` by default) as `GET /v1/services` lists them. */
    instances: async (name = 'word-count'): Promise<Array<{ id: string; status: string }>> => {
      const { items } = await request('GET', '/v1/services');
      return items.find((service: { name: string }) => service.name === name)?.instances ?? [];
    },
  };
}

const countPlan = (text: string) => ({ steps: [{ id: 'count', target: 'word-count', input: { text } }] });

describe('a Python service written from docs/protocol.md', () => {
  it('registers, runs two parallel steps and a join, and answers heartbeats', { timeout: 180_000 }, async () => {
    const { pythonEnv, orchestrate, ended, instances } = await setUp();
    const python = startPython('word-count (python)', pythonEnv());
    const instanceId = await instanceIdOf(python);
    await waitUntil('GET /v1/services to list the instance', async () =>
      (await instances()).some((instance) => instance.id === instanceId && instance.status === 'up'),
    );

    const id = await orchestrate(
      {
        steps: [
          { id: 'left', target: 'word-count', input: { text: { $ref: 'request.data.left' } } },
          { id: 'right', target: 'word-count', input: { text: { $ref: 'request.data.right' } } },
          {
            id: 'join',
            target: 'word-count',
            input: { text: '{{steps.left.output.words}} plus {{steps.right.output.words}}' },
          },
        ],
        output: {
          left: { $ref: 'steps.left.output.words' },
          right: { $ref: 'steps.right.output.words' },
          join: { $ref: 'steps.join.output.words' },
        },
      },
      { left: 'the quick brown fox', right: 'jumps over\nthe   lazy dog today' },
    );
    const orchestration = await ended(id);
    expect(orchestration.status).toBe('succeeded');
    expect(orchestration.parallelGroups).toEqual([['left', 'right'], ['join']]);
    expect(orchestration.result).toEqual({ left: 4, right: 6, join: 3 });
    expect(orchestration.steps.map((step) => [step.id, step.status, step.service, step.attempts, step.output])).toEqual(
      [
        ['left', 'succeeded', 'word-count@1', 1, { words: 4 }],
        ['right', 'succeeded', 'word-count@1', 1, { words: 6 }],
        ['join', 'succeeded', 'word-count@1', 1, { words: 3 }],
      ],
    );
    const handled = python.lines
      .filter((line) => /^task \S+ \S+ attempt 1$/.test(line))
      .map((line) => line.split(' ')[1]);
    expect(handled.sort()).toEqual(['join', 'left', 'right']);

    // Every heartbeat the service sends is answered by one of the server's.
    await python.waitFor(/^-> \{"type":"heartbeat"/);
    await python.waitFor(/^<- \{"type":"heartbeat"/);
  });

  it('fails a step with the task-error the Python service answered, without retrying it', {
    timeout: 180_000,
  }, async () => {
    const { pythonEnv, orchestrate, ended } = await setUp();
    const python = startPython('word-count (python)', pythonEnv());
    await instanceIdOf(python);

    // Input the schema allows but the service refuses: more words than the `maxWords` it came with.
    const refused = await ended(
      await orchestrate({
        steps: [
          {
            id: 'count',
            target: 'word-count',
            input: { text: 'one two three four five', maxWords: 3 },
            policy: { retry: { maxAttempts: 3 } },
          },
        ],
      }),
    );
    expect(refused.status).toBe('failed');
    const [step] = refused.steps;
    expect(step!.status).toBe('failed');
    expect(step!.attempts).toBe(1);
    expect(step!.error).toMatchObject({ code: 'step-failed', retryable: false });
    expect(step!.error!.cause).toMatchObject({
      code: 'remote-task-failed',
      remoteCode: 'too-many-words',
      retryable: false,
    });
    expect(step!.error!.cause!.message).toContain('the text has 5 words, more than maxWords (3)');
    expect(refused.error!.message).toContain('the text has 5 words, more than maxWords (3)');
    await python.waitFor(/^task-error \S+: the text has 5 words, more than maxWords \(3\)$/);

    // Input that breaks the registered schema never reaches the service: the server checks it before sending a task.
    const tasksBefore = python.lines.filter((line) => line.startsWith('task ')).length;
    const invalid = await ended(
      await orchestrate(
        { steps: [{ id: 'count', target: 'word-count', input: { text: { $ref: 'request.data.text' } } }] },
        { text: 42 },
      ),
    );
    expect(invalid.status).toBe('failed');
    expect(invalid.steps[0]!.error!.cause).toMatchObject({ code: 'validation-failed', retryable: false });
    expect(python.lines.filter((line) => line.startsWith('task ')).length).toBe(tasksBefore);

    // And the service still works.
    expect((await ended(await orchestrate(countPlan('still here')))).result).toEqual({ count: { words: 2 } });
  });

  it('reconnects after its socket is cut, as the same instance, and runs the next orchestration', {
    timeout: 180_000,
  }, async () => {
    const { port, pythonEnv, orchestrate, ended, instances } = await setUp();
    const proxy = await cuttableTcpProxy(port);
    cleanups.push(() => proxy.close());
    const python = startPython('word-count (python)', pythonEnv(proxy.url));
    const instanceId = await instanceIdOf(python);
    expect((await ended(await orchestrate(countPlan('before the cut')))).result).toEqual({ count: { words: 3 } });

    const beforeCut = python.lines.length;
    proxy.cut();
    await python.waitFor(/^the connection to \S+ closed with code 1006/, beforeCut);
    await waitUntil('the server to see the instance gone', async () => (await instances()).length === 0);
    const beforeRestore = python.lines.length;
    proxy.restore();
    expect(await instanceIdOf(python, beforeRestore)).toBe(instanceId);

    expect((await ended(await orchestrate(countPlan('after the cut, again')))).result).toEqual({
      count: { words: 4 },
    });
  });

  it('sends the result its handler produced while the socket was cut once it is back, and runs the handler once', {
    timeout: 180_000,
  }, async () => {
    const { dir, port, pythonEnv, orchestrate, ended, instances } = await setUp();
    const proxy = await cuttableTcpProxy(port);
    cleanups.push(() => proxy.close());
    const python = startPython('word-count-held (python)', { ...pythonEnv(proxy.url), BATON_GO_DIR: dir }, [
      '-c',
      HELD_SERVICE,
    ]);
    const instanceId = await instanceIdOf(python);
    const id = await orchestrate({
      steps: [{ id: 'held', target: 'word-count-held', input: { text: 'counted while away', holdFor: 'go' } }],
    });
    const taskId = (await python.waitFor(/^hold \S+$/)).split(' ')[1]!;

    const beforeCut = python.lines.length;
    proxy.cut();
    await python.waitFor(/^the connection to \S+ closed with code 1006/, beforeCut);
    await waitUntil(
      'the server to see the instance gone',
      async () => (await instances('word-count-held')).length === 0,
    );
    writeFileSync(join(dir, 'go'), '');
    // Finished while no socket is open: the result waits in the service's outbox.
    await python.waitFor(new RegExp(`^result ${taskId}$`));
    const beforeRestore = python.lines.length;
    proxy.restore();
    expect(await instanceIdOf(python, beforeRestore)).toBe(instanceId);

    // While cut, it tried again with a growing wait (the finished task's wake-up did not cut the wait short): a few
    // attempts, not a busy loop's thousands.
    const attempts = python.lines.slice(beforeCut).filter((line) => line.startsWith('could not connect to ')).length;
    expect(attempts).toBeLessThan(30);

    const orchestration = await ended(id);
    expect(orchestration.status).toBe('succeeded');
    expect(orchestration.result).toEqual({ held: { words: 3 } });
    expect(python.lines.filter((line) => line.startsWith('hold '))).toEqual([`hold ${taskId}`]);
    // Sent only after the new welcome (nothing is sent without a socket), and acknowledged.
    const resent = python.lines.slice(beforeRestore).find((line) => line.startsWith('-> {"type":"result"'));
    expect(JSON.parse(resent!.slice(3))).toEqual({
      type: 'result',
      id: expect.any(String),
      taskId,
      output: { words: 3 },
    });
    await python.waitFor(new RegExp(`^<- \\{"type":"ack","of":"${JSON.parse(resent!.slice(3)).id}"`), beforeRestore);
  });

  it('stops on Ctrl-C once drained, keeping its instance id and leaving no lock file', {
    timeout: 180_000,
  }, async () => {
    const { pythonEnv, orchestrate, ended } = await setUp();
    const env = pythonEnv();
    const python = startPython('word-count (python)', env);
    await instanceIdOf(python);
    expect((await ended(await orchestrate(countPlan('one two three')))).result).toEqual({ count: { words: 3 } });
    const stateDir = env.BATON_STATE_DIR!;
    expect(readdirSync(stateDir).sort()).toEqual(['word-count.json', 'word-count.lock']);

    expect(await python.interrupt()).toBe(0);
    expect(python.lines).toContain('drained; closing');
    expect(readdirSync(stateDir)).toEqual(['word-count.json']);
  });

  it('is killed and started again: re-attaches under its saved instance id and runs what waited for it', {
    timeout: 180_000,
  }, async () => {
    const { pythonEnv, orchestrate, ended, get, instances } = await setUp();
    const first = startPython('word-count (python)', pythonEnv());
    const instanceId = await instanceIdOf(first);
    expect((await ended(await orchestrate(countPlan('one two')))).result).toEqual({ count: { words: 2 } });

    await first.kill();
    await waitUntil('the server to see the instance gone', async () => (await instances()).length === 0);
    // Submitted while no instance is connected: its step waits for one.
    const id = await orchestrate(countPlan('counted by the second process'));
    await waitUntil(
      'the step to wait for the service',
      async () => (await get(id)).steps[0]!.status === 'waiting-for-service',
    );

    const second = startPython('word-count (python, restarted)', pythonEnv());
    await second.waitFor(new RegExp(`^re-attaching as instance ${instanceId}$`));
    expect(await instanceIdOf(second)).toBe(instanceId);
    const orchestration = await ended(id);
    expect(orchestration.status).toBe('succeeded');
    expect(orchestration.result).toEqual({ count: { words: 5 } });
    await second.waitFor(/^task count \S+ attempt 1$/);
  });
});
