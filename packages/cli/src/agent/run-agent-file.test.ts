import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChatServer, startChatServer } from '@baton/llm/testing';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scripted } from '../../../llm/src/agents/agent-test-kit.js';
import { fixtureStdioServer } from '../../../llm/src/mcp/mcp-test-kit.js';
import { BIN, waitFor } from '../cli-test-kit.js';

let dir: string;
let server: ChatServer;

/** Runs the built `baton` in `dir` (so `.baton/` lands there). */
async function baton(args: readonly string[], env: Record<string, string> = {}) {
  const { execFile } = await import('node:child_process');
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: dir, env: { ...process.env, HOME: dir, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-agent-cli-'));
  server = await startChatServer({ reply: () => 'It will rain in Oslo tomorrow.' });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Whether the run's journal holds a finished sub-call whose entry names `what` (read as another process would). */
function journaled(file: string, runId: string, what: string): true | undefined {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare("SELECT 1 FROM baton_journal WHERE run_id = ? AND type = 'sub-call-finish' AND data LIKE ?")
      .get(runId, `%${what}%`);
    return row === undefined ? undefined : true;
  } finally {
    db.close();
  }
}

const agentFile = async (name: string, lines: string[]) => {
  await writeFile(join(dir, name), `${lines.join('\n')}\n`);
  return name;
};

describe('baton run agent.yaml', () => {
  it('runs the agent the file declares and prints its answer, keeping the run under .baton/agents/', async () => {
    const file = await agentFile('forecaster.yaml', [
      `model: { baseURL: "${server.baseURL}", name: gpt-4o-mini, apiKeyEnv: LOCAL_KEY }`,
      'system: You forecast the weather.',
      'cache: false',
    ]);
    const before = server.calls;
    const { code, stdout, stderr } = await baton(['run', file, '--query', 'Rain in Oslo?'], { LOCAL_KEY: 'k' });
    expect({ code, stderr: stderr.replace(/run [0-9a-f-]{36}/, 'run <id>') }).toEqual({
      code: 0,
      stderr: expect.stringMatching(/^1 model call, 0 tool calls, \d+ tokens, \$0\.0000 \(run <id>\)\n$/),
    });
    expect(stdout).toBe('\nIt will rain in Oslo tomorrow.\n');
    expect(server.calls - before).toBe(1);
    expect(server.bodies.at(-1)?.messages[0]).toEqual({ role: 'system', content: 'You forecast the weather.' });
    expect(await readdir(join(dir, '.baton', 'agents'))).toContain('forecaster.db');
  });

  it('runs a file without .yaml as the agent file it is, instead of sending its name to a server', async () => {
    const file = await agentFile('forecaster-agent', [
      `model: { baseURL: "${server.baseURL}", name: gpt-4o-mini }`,
      'cache: false',
    ]);
    const withQuery = await baton(['run', `./${file}`, '--query', 'Rain in Oslo?', '--memory']);
    expect(withQuery).toMatchObject({ code: 0, stdout: '\nIt will rain in Oslo tomorrow.\n' });
    const withoutQuery = await baton(['run', `./${file}`]);
    expect(withoutQuery.code).toBe(2);
    expect(withoutQuery.stderr).toContain(
      'give the question with --query "…" to run the agent file ./forecaster-agent',
    );
  });

  it("prints each tool call of the file's MCP server as it happens, then the answer", async () => {
    const chat = await startChatServer({
      reply: scripted([{ toolCalls: [{ name: 'weather_get-weather', arguments: { city: 'Oslo' } }] }, 'Oslo: 8°C.']),
    });
    try {
      const stdio = fixtureStdioServer('weather');
      const file = await agentFile('mcp-agent.yaml', [
        `model: { baseURL: "${chat.baseURL}", name: gpt-4o-mini }`,
        'mcpServers:',
        `  - { name: weather, command: ${JSON.stringify(stdio.command)}, args: ${JSON.stringify(stdio.args)} }`,
        'tools: [weather.get-weather]',
        'toolSearch: { k: 1 }',
      ]);
      const { code, stdout } = await baton(['run', file, '--query', 'Weather in Oslo?', '--memory']);
      expect(code).toBe(0);
      expect(stdout).toBe(
        '→ weather.get-weather {"city":"Oslo"}\n← weather.get-weather@1.0.0 {"city":"Oslo","celsius":8}\n\nOslo: 8°C.\n',
      );
    } finally {
      await chat.close();
    }
  });

  it('answers a second call with the same --run-id from the stored run, without asking the model again', async () => {
    const file = await agentFile('named.yaml', [`model: { baseURL: "${server.baseURL}", name: gpt-4o-mini }`]);
    const first = await baton(['run', file, '--query', 'Rain?', '--run-id', 'trip-42']);
    const calls = server.calls;
    const again = await baton(['run', file, '--query', 'Rain?', '--run-id', 'trip-42']);
    expect(first).toMatchObject({ code: 0, stdout: '\nIt will rain in Oslo tomorrow.\n' });
    expect(again).toMatchObject({ code: 0, stdout: '\nIt will rain in Oslo tomorrow.\n' });
    expect(server.calls).toBe(calls);
    const other = await baton(['run', file, '--query', 'Snow?', '--run-id', 'trip-42']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('run trip-42 answers another question ("Rain?"): give a new --run-id for this one');
    expect(server.calls).toBe(calls);
    // Refused before any MCP server starts: one that cannot start does not hide the mistake.
    await agentFile('named.yaml', [
      `model: { baseURL: "${server.baseURL}", name: gpt-4o-mini }`,
      'mcpServers: [{ name: files, command: /nonexistent/mcp-server }]',
    ]);
    const refused = await baton(['run', file, '--query', 'Snow?', '--run-id', 'trip-42']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('run trip-42 answers another question');
    expect(refused.stderr).not.toContain('cannot be reached');
  });

  it('refuses to follow a run with --run-id once its file has changed, and follows it again once put back', async () => {
    const lines = [`model: { baseURL: "${server.baseURL}", name: gpt-4o-mini }`, 'system: Answer briefly.'];
    const file = await agentFile('edited.yaml', lines);
    expect((await baton(['run', file, '--query', 'Rain?', '--run-id', 'trip-43'])).code).toBe(0);
    const calls = server.calls;
    await agentFile('edited.yaml', [lines[0]!, 'system: Answer at length, in French.']);
    const changed = await baton(['run', file, '--query', 'Rain?', '--run-id', 'trip-43']);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain('run trip-43 was started from another version of edited.yaml');
    // Only what the file says counts: a comment or another layout is the same agent.
    await agentFile('edited.yaml', ['# the same agent', lines[0]!, '', 'system:   Answer briefly.']);
    const back = await baton(['run', file, '--query', 'Rain?', '--run-id', 'trip-43']);
    expect(back).toMatchObject({ code: 0, stdout: '\nIt will rain in Oslo tomorrow.\n' });
    expect(server.calls).toBe(calls);
  });

  // Five runs of the CLI, each loading the cache's embedder: more than the default 20 s on two busy cores.
  it("serves a second run's model call from the file's cache, in .baton/cache.db or the cache's path, beside the file", {
    timeout: 120_000,
  }, async () => {
    for (const [name, cache, db] of [
      ['cached.yaml', 'cache: { ttlSeconds: 600 }', join('.baton', 'cache.db')],
      ['cached-at.yaml', 'cache: { path: answers/agent-cache.db }', join('answers', 'agent-cache.db')],
    ] as const) {
      const file = await agentFile(name, [`model: { baseURL: "${server.baseURL}", name: gpt-4o-mini }`, cache]);
      const question = `Rain in ${name}?`;
      const first = await baton(['run', file, '--query', question, '--memory']);
      expect(first).toMatchObject({ code: 0, stdout: '\nIt will rain in Oslo tomorrow.\n' });
      const calls = server.calls;
      const again = await baton(['run', file, '--query', question, '--memory']);
      expect(again).toMatchObject({ code: 0, stdout: '\nIt will rain in Oslo tomorrow.\n' });
      expect(server.calls).toBe(calls);
      await expect(stat(join(dir, db))).resolves.toMatchObject({ size: expect.any(Number) });
    }
    // A file run from another folder keeps its cache beside it, as its relative path says.
    await mkdir(join(dir, 'project'), { recursive: true });
    const nested = await agentFile(join('project', 'agent.yaml'), [
      `model: { baseURL: "${server.baseURL}", name: gpt-4o-mini }`,
      'cache: { path: answers/agent-cache.db }',
    ]);
    const run = await baton(['run', nested, '--query', 'Rain in the project?', '--memory']);
    expect(run).toMatchObject({ code: 0, stdout: '\nIt will rain in Oslo tomorrow.\n' });
    await expect(stat(join(dir, 'project', 'answers', 'agent-cache.db'))).resolves.toMatchObject({
      size: expect.any(Number),
    });
  });

  // Two CLI processes, each with its MCP server: well past the default timeout on a busy machine.
  it('resumes, with the same --run-id, a run whose process was killed mid-call, without repeating its tool call', {
    timeout: 120_000,
  }, async () => {
    const chat = await startChatServer({
      reply: scripted([{ toolCalls: [{ name: 'weather_get-weather', arguments: { city: 'Oslo' } }] }, 'Oslo: 8°C.']),
    });
    try {
      const stdio = fixtureStdioServer('weather');
      const file = await agentFile('resumable.yaml', [
        `model: { baseURL: "${chat.baseURL}", name: gpt-4o-mini }`,
        'mcpServers:',
        `  - { name: weather, command: ${JSON.stringify(stdio.command)}, args: ${JSON.stringify(stdio.args)} }`,
        'tools: [weather.get-weather]',
      ]);
      const { spawn } = await import('node:child_process');
      // The answer to the second model call (after the tool call) is held: the first process is killed waiting for it.
      let release = chat.holdReplies();
      const first = spawn(process.execPath, [BIN, 'run', file, '--query', 'Weather?', '--run-id', 'r-kill'], {
        cwd: dir,
        env: { ...process.env, HOME: dir },
        stdio: 'ignore',
      });
      await waitFor(() => chat.calls === 1 || undefined, 'the first model call');
      const answerFirst = release;
      release = chat.holdReplies();
      answerFirst();
      await waitFor(() => chat.calls === 2 || undefined, 'the second model call');
      // A read-only tool's result is journaled while the agent goes on (a lost one is only called again): the kill
      // comes once it is stored, so the resume must take it from the journal.
      await waitFor(
        () => journaled(join(dir, '.baton', 'agents', 'resumable.db'), 'r-kill', 'get-weather'),
        'the tool call in the journal',
      );
      const gone = new Promise((resolve) => first.once('exit', resolve));
      first.kill('SIGKILL');
      await gone;
      release();
      const again = await baton(['run', file, '--query', 'Weather?', '--run-id', 'r-kill']);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('resuming run r-kill from its journal');
      expect(again.stdout).toContain('← weather.get-weather@1.0.0 {"city":"Oslo","celsius":8} (from the journal)');
      expect(again.stdout.endsWith('\nOslo: 8°C.\n')).toBe(true);
      // The first model call came from the journal: only the one left unanswered was asked again.
      expect(chat.calls).toBe(3);
      expect(chat.bodies[2]).toEqual(chat.bodies[1]);
    } finally {
      await chat.close();
    }
  });

  it('at Ctrl-C says how to go on with the run, then goes on with it by the id it gave', {
    timeout: 120_000,
  }, async () => {
    const chat = await startChatServer({ reply: () => 'Sunny.' });
    try {
      const file = await agentFile('interrupted.yaml', [`model: { baseURL: "${chat.baseURL}", name: gpt-4o-mini }`]);
      const { spawn } = await import('node:child_process');
      const release = chat.holdReplies();
      const child = spawn(process.execPath, [BIN, 'run', file, '--query', 'Sun?'], {
        cwd: dir,
        env: { ...process.env, HOME: dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      await waitFor(() => chat.calls === 1 || undefined, 'the model call');
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      const hint =
        /baton: stopped; the agent's run (\S+) is kept: baton run interrupted\.yaml --query "Sun\?" --run-id \1 goes on with it/.exec(
          stderr,
        );
      expect(hint, stderr).not.toBeNull();
      release();
      const again = await baton(['run', file, '--query', 'Sun?', '--run-id', hint?.[1] as string]);
      expect(again).toMatchObject({ code: 0 });
      expect(again.stdout.endsWith('\nSunny.\n')).toBe(true);
    } finally {
      await chat.close();
    }
  });

  it('prints one JSON object per event, then the result, with --json', async () => {
    const file = await agentFile('json-agent.yaml', [
      'name: json-agent',
      `model: { baseURL: "${server.baseURL}", name: gpt-4o-mini }`,
    ]);
    const { code, stdout } = await baton(['run', file, '--query', 'Rain?', '--json', '--memory', '--run-id', 'r-7']);
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    // The answer streams: a text-delta per piece as the model writes it, between the call and the step's end.
    const types = lines.map((line) => line.type);
    const deltas = lines.filter((line) => line.type === 'text-delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((line) => line.delta).join('')).toBe('It will rain in Oslo tomorrow.');
    expect(types.filter((type) => type !== 'text-delta')).toEqual([
      'run-start',
      'step-start',
      'model-call',
      'step-finish',
      'run-finish',
      'result',
    ]);
    expect(types.indexOf('text-delta')).toBeGreaterThan(types.indexOf('model-call'));
    expect(types.lastIndexOf('text-delta')).toBeLessThan(types.indexOf('step-finish'));
    expect(lines.at(-1)).toMatchObject({
      type: 'result',
      runId: 'r-7',
      text: 'It will rain in Oslo tomorrow.',
      steps: 1,
    });
  });

  it('ends --json with an error line when the run fails, exit 7', async () => {
    const file = await agentFile('failing-agent.yaml', [
      'name: failing-agent',
      'model: { baseURL: "http://127.0.0.1:1/v1", name: gpt-4o-mini }',
    ]);
    const { code, stdout } = await baton(['run', file, '--query', 'Rain?', '--json', '--memory', '--run-id', 'r-8']);
    expect(code).toBe(7);
    const last = JSON.parse(stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
    expect(last).toMatchObject({ type: 'error', runId: 'r-8', error: { code: 'step-failed' } });
    expect(JSON.stringify(last.error)).toContain('could not be reached');
  });

  it('ends --json with an error line when the run cannot start: a bad file, or no --query', async () => {
    const file = await agentFile('bad-json.yaml', ['model:', '  baseURL: nowhere']);
    const bad = await baton(['run', file, '--query', 'Hi', '--json']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('bad-json.yaml is not a valid agent file:');
    const last = JSON.parse(bad.stdout.trim().split('\n').at(-1) as string) as { type: string; error: unknown };
    expect(last.type).toBe('error');
    expect(JSON.stringify(last.error)).toContain('must be the http(s) URL of an OpenAI-compatible API');
    const unasked = await baton(['run', file, '--json']);
    expect(unasked.code).toBe(2);
    expect(JSON.parse(unasked.stdout.trim())).toMatchObject({
      type: 'error',
      error: { message: expect.stringContaining('give the question with --query') },
    });
  });

  it('answers an invalid file with every problem and its place, exit 3', async () => {
    const file = await agentFile('broken.yaml', ['model:', '  baseURL: nowhere', '  apiKey: sk-1', 'maxStep: 3']);
    const { code, stderr } = await baton(['run', file, '--query', 'Hi']);
    expect(code).toBe(3);
    expect(stderr).toContain('broken.yaml is not a valid agent file:');
    expect(stderr).toContain('broken.yaml:2:12 model.baseURL: must be the http(s) URL of an OpenAI-compatible API');
    expect(stderr).toContain('broken.yaml:3:11 model.apiKey: never put a key in the file');
    expect(stderr).toContain('broken.yaml:4:1 maxStep: unknown key "maxStep"');
  });

  it('leaves no run database behind for a file that fails its checks once its tools are looked up', async () => {
    const file = await agentFile('toolless.yaml', [
      `model: { baseURL: "${server.baseURL}", name: m }`,
      'tools: [weather.*]',
    ]);
    const { code, stderr } = await baton(['run', file, '--query', 'Hi']);
    expect(code).toBe(3);
    expect(stderr).toContain('tools[0]: "weather.*" matches no tool');
    for (const suffix of ['', '-wal', '-shm']) {
      expect(existsSync(join(dir, '.baton', 'agents', `toolless.db${suffix}`))).toBe(false);
    }
  });

  it('asks for --query (exit 2) and names a file it cannot read (exit 3)', async () => {
    const file = await agentFile('quiet.yaml', [`model: { baseURL: "${server.baseURL}", name: m }`]);
    expect(await baton(['run', file])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('give the question with --query "…" to run the agent file quiet.yaml'),
    });
    expect(await baton(['run', file, '--query', 'Hi', '--run-id', ''])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--run-id must be a non-empty id, got ""'),
    });
    expect(await baton(['run', 'missing.yaml', '--query', 'Hi'])).toMatchObject({
      code: 3,
      stderr: expect.stringContaining('cannot read the agent file "missing.yaml": no such file'),
    });
    await mkdir(join(dir, 'folder.yaml'), { recursive: true });
    expect(await baton(['run', 'folder.yaml', '--query', 'Hi'])).toMatchObject({
      code: 3,
      stderr: expect.stringContaining(': it is a folder'),
    });
  });
});
