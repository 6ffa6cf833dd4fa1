/**
 * Runs every code block of the README, as a reader would: TypeScript blocks as programs of their own (from a fresh
 * folder, so what they write lands there), shell blocks command by command, JSON blocks parsed. A block fails the
 * test when it exits non-zero or prints an error; a block of a kind this test cannot run fails it too, so nothing in
 * the README escapes being run.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAgentFile } from '../../packages/llm/src/agents/agent-file.js';
import { type ChatServer, startChatServer } from '../../packages/llm/src/testing/openai-compatible-server.js';
import { type CodeBlock, readCodeBlocks, shellCommands } from './readme-blocks.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = await readFile(join(root, 'README.md'), 'utf8');
const blocks = readCodeBlocks(readme);
const byLanguage = (...languages: string[]) => blocks.filter((block) => languages.includes(block.language));

let scratch: string;
// Blocks that call a model reach this local OpenAI-compatible server through `LLM_BASE_URL`.
let llm: ChatServer;
beforeAll(async () => {
  llm = await startChatServer();
  // Inside the repository, so the blocks' imports resolve through its node_modules; .baton/ is ignored by git.
  await mkdir(join(root, '.baton'), { recursive: true });
  scratch = await mkdtemp(join(root, '.baton', 'readme-'));
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  await llm?.close();
});

const nodeArgs = ['--conditions=@baton/source', '--import', 'tsx'];

async function runProgram(file: string, cwd: string) {
  const result = await run(process.execPath, [...nodeArgs, file], {
    cwd,
    env: { ...process.env, NODE_ENV: 'test', LLM_BASE_URL: llm.baseURL },
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return result;
}

it('has code blocks, each in a language this test runs', () => {
  expect(blocks.length).toBeGreaterThan(3);
  const unknown = blocks.filter(
    (block) => !['ts', 'typescript', 'sh', 'bash', 'json', 'yaml'].includes(block.language),
  );
  expect(unknown.map((block) => `line ${block.line}: ${block.language || '(none)'}`)).toEqual([]);
});

describe.each(byLanguage('ts', 'typescript').map((block) => [block.line, block] as const))(
  'the TypeScript block on line %i',
  (_line, block: CodeBlock) => {
    it('runs to completion without an error', async () => {
      const folder = await mkdtemp(join(scratch, `block-${block.line}-`));
      const file = join(folder, 'block.ts');
      await writeFile(file, block.code);
      const { stderr } = await runProgram(file, folder);
      expect(stderr).not.toMatch(/Error|Unhandled|Warning/);
    }, 150_000);
  },
);

describe.each(byLanguage('json').map((block) => [block.line, block] as const))(
  'the JSON block on line %i',
  (_l, block) => {
    it('parses', () => {
      expect(() => JSON.parse(block.code)).not.toThrow();
    });
  },
);

// The README's YAML is agent files: each must be one `baton run` accepts.
describe.each(byLanguage('yaml').map((block) => [block.line, block] as const))(
  'the YAML block on line %i',
  (_l, block) => {
    it('is a valid agent file', () => {
      expect(() => parseAgentFile(block.code, `README.md line ${block.line}`)).not.toThrow();
    });
  },
);

describe('the shell blocks', () => {
  const commands = byLanguage('sh', 'bash').flatMap((block) => shellCommands(block.code));

  it('say how to install, run and test', () => {
    expect(commands).toContain('npm install');
    expect(commands).toContain('npm start');
    expect(commands).toContain('npm test');
  });

  it('`npm test` is what CI runs', async () => {
    const ci = await readFile(join(root, '.ci', 'run'), 'utf8');
    expect(ci.split('\n').map((line) => line.trim())).toContain('npm test');
  });

  it('`npm start` runs an action in plain words end to end, keeps serving with what to try next, and stops on Ctrl-C', async () => {
    const dir = await mkdtemp(join(scratch, 'quickstart-'));
    // As a newcomer would, but on a port of its own (BATON_PORT) and a folder of its own, so nothing else is in the way.
    const child = spawn('npm', ['start', '--', '--dir', dir], {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'test', BATON_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    // 'close': the process has exited and every pipe is drained (baton writes to npm's pipes too).
    const exited = new Promise<string>((resolve) =>
      child.once('close', (code, signal) => resolve(signal ?? `exit ${code}`)),
    );
    try {
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if (out.includes('Press Ctrl-C to stop.')) resolve();
        };
        child.stdout.on('data', check);
        void exited.then((code) =>
          reject(new Error(`npm start exited (${code}) before it was serving: ${err.slice(-2000)}`)),
        );
      });
      expect(out).toContain('Example services connected, each in its own process: weather, news, writer, currency');
      expect(out).toMatch(/Planned by: template "morning-briefing"/);
      expect(out).toMatch(/step briefing done/);
      // However long it took: 850ms, 1.2s, or 1m 05s on a machine busy enough.
      expect(out).toMatch(/succeeded in (?:\d+ms|\d+\.\ds|\d+m \d{2}s)\. Result:\nGood morning, Lisbon/);
      expect(out).toMatch(/npx baton run "What's the weather in Paris\?" --wait/);
    } finally {
      // The whole group: npm, and baton under it, as Ctrl-C in a terminal would.
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGINT');
    }
    // npm itself ends by the signal; baton under it stops its services and its server, and says so.
    const end = await exited;
    expect(['exit 0', 'SIGINT'], `${out.slice(-600)}\n${err.slice(-1500)}`).toContain(end);
    expect(out, err.slice(-1500)).toContain('Stopping the example services and the server');
    expect(err).not.toMatch(/Error|Unhandled/);
  }, 240_000);

  // Rejects (failing the test) on a non-zero exit code.
  it.each(commands.filter((command) => !['npm install', 'npm test', 'npm start'].includes(command)))(
    '`%s` exits 0',
    async (command) => {
      await run('bash', ['-c', command], {
        cwd: root,
        env: { ...process.env, NODE_ENV: 'test' },
        timeout: 240_000,
        maxBuffer: 16 * 1024 * 1024,
      });
    },
    300_000,
  );
});
