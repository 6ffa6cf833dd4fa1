/**
 * Runs every code block of the README, as a reader would: TypeScript blocks as programs of their own (from a fresh
 * folder, so what they write lands there), shell blocks command by command, JSON blocks parsed. A block fails the
 * test when it exits non-zero or prints an error; a block of a kind this test cannot run fails it too, so nothing in
 * the README escapes being run.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  const unknown = blocks.filter((block) => !['ts', 'typescript', 'sh', 'bash', 'json'].includes(block.language));
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

  // Rejects (failing the test) on a non-zero exit code.
  it.each(commands.filter((command) => !['npm install', 'npm test'].includes(command)))(
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
