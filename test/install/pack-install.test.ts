/**
 * Baton as a user gets it: every package packed with `npm pack`, the tarballs installed into an empty folder outside
 * the repository, and plain `node` scripts run there — the in-memory engine from `@baton/core` alone (no native
 * modules installed), then the durable engine on SQLite, `enhance()` and the `baton` command from all of them.
 * Needs the packages built (`npm run build`, which `npm install` and `npm test` run).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const workspaces = [
  'packages/core',
  'packages/cache',
  'packages/llm',
  'packages/protocol',
  'packages/sdk',
  'packages/server',
  'packages/cli',
];

let scratch: string;
let tarballs: Record<string, string>;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'baton-install-'));
  const packs = join(scratch, 'packs');
  await mkdir(packs);
  await exec('npm', ['pack', '--silent', '--pack-destination', packs, ...workspaces.flatMap((w) => ['-w', w])], {
    cwd: root,
  });
  const files = await readdir(packs);
  tarballs = Object.fromEntries(files.map((file) => [file.replace(/-\d+\.\d+\.\d+\.tgz$/, ''), join(packs, file)]));
}, 120_000);
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** An empty project folder with the given packages installed from tarballs or the registry (offline when cached). */
async function project(name: string, packages: string[]): Promise<string> {
  const dir = join(scratch, name);
  await mkdir(dir);
  const manifest = {
    name,
    private: true,
    type: 'module',
    allowScripts: { 'better-sqlite3': true, 'hnswlib-node': true },
  };
  await writeFile(join(dir, 'package.json'), JSON.stringify(manifest));
  // The test runs in a project of its own after every other file (vitest.config.ts), so the native build competes
  // with nothing of ours.
  const install = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...packages];
  await exec('npm', install, {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
  });
  return dir;
}

async function node(dir: string, script: string, code: string): Promise<string> {
  await writeFile(join(dir, script), code);
  const { stdout } = await exec(process.execPath, [script], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

describe('installed from packed tarballs', () => {
  it('packs one tarball per package', () => {
    expect(Object.keys(tarballs).sort()).toEqual([
      'baton',
      'baton-cache',
      'baton-core',
      'baton-llm',
      'baton-protocol',
      'baton-sdk',
      'baton-server',
    ]);
  });

  it('each tarball names the other Baton packages at exactly its own version, never at any version a registry has', async () => {
    for (const [name, file] of Object.entries(tarballs)) {
      const { stdout } = await exec('tar', ['-xzOf', file, 'package/package.json']);
      const manifest = JSON.parse(stdout) as { version: string; dependencies?: Record<string, string> };
      const siblings = Object.entries(manifest.dependencies ?? {}).filter(([dependency]) =>
        dependency.startsWith('@baton/'),
      );
      for (const [dependency, range] of siblings)
        expect(`${name} → ${dependency}@${range}`).toBe(`${name} → ${dependency}@${manifest.version}`);
    }
  });

  it('@baton/core alone: the in-memory engine runs with no native module installed, and a store names its driver', async () => {
    const dir = await project('core-only', [tarballs['baton-core']!]);
    for (const native of ['better-sqlite3', 'pg', 'hnswlib-node']) {
      expect(existsSync(join(dir, 'node_modules', native)), native).toBe(false);
    }
    const out = await node(
      dir,
      'engine.mjs',
      `
import { createEngine, createRegistry, MissingDependencyError, openStore } from '@baton/core';
const registry = createRegistry();
registry.register({ name: 'add', description: 'Adds two numbers', handler: ({ a, b }) => ({ sum: a + b }) });
const engine = createEngine({ registry });
const run = engine.run({ steps: [
  { id: 'first', target: 'add', input: { a: 2, b: 3 } },
  { id: 'second', target: 'add', input: { a: { $ref: 'steps.first.output.sum' }, b: 10 } },
] });
const { output } = await run.result();
const refused = await openStore({ url: 'runs.db' }).catch((error) => error);
console.log(JSON.stringify({ output, missing: MissingDependencyError.isInstance(refused) && refused.packageName }));
`,
    );
    expect(JSON.parse(out)).toEqual({ output: { second: { sum: 15 } }, missing: 'better-sqlite3' });
  }, 300_000);

  it("@baton/core alone: its declarations type-check in a strict project that checks libraries' too", async () => {
    // The drivers are optional, their types are not: a declaration that names one resolves without it installed.
    const dir = await project('core-types', [tarballs['baton-core']!, 'typescript@5', '@types/node@20']);
    expect(existsSync(join(dir, 'node_modules', 'better-sqlite3'))).toBe(false);
    const compilerOptions = {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      types: ['node'],
    };
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['engine.ts'] }));
    await writeFile(
      join(dir, 'engine.ts'),
      `
import { createEngine, createRegistry, openStore, type RunResult } from '@baton/core';
const registry = createRegistry();
registry.register({ name: 'add', description: 'Adds', handler: ({ a, b }: { a: number; b: number }) => ({ sum: a + b }) });
const engine = createEngine({ registry, store: await openStore({ url: 'runs.db' }) });
const result: RunResult = await engine.run({ steps: [{ id: 'a', target: 'add', input: { a: 1, b: 2 } }] }).result();
const wrong: string = result.startedAt;
`,
    );
    const checked = await exec(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], {
      cwd: dir,
    }).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );
    // The one error is the one planted: the declarations themselves are sound.
    expect(checked.trim().split('\n')).toEqual([
      expect.stringMatching(/^engine\.ts\(7,7\): error TS2322: Type 'number' is not assignable to type 'string'\.$/),
    ]);
  }, 300_000);

  it('@baton/sdk alone: installs with ws, zod and @baton/protocol only, and a service refuses a bad definition', async () => {
    const dir = await project('sdk-only', [tarballs['baton-sdk'] as string, tarballs['baton-protocol'] as string]);
    const installed = (await readdir(join(dir, 'node_modules'))).filter((name) => !name.startsWith('.')).sort();
    expect(installed).toEqual(['@baton', 'ws', 'zod']);
    expect((await readdir(join(dir, 'node_modules', '@baton'))).sort()).toEqual(['protocol', 'sdk']);
    const out = await node(
      dir,
      'sdk.mjs',
      `
import { createClient, createService } from '@baton/sdk';
let refused = '';
try { createService({ name: 'Bad Name', description: 'x', handler: () => null }); } catch (error) { refused = error.name; }
const client = createClient({ url: 'http://127.0.0.1:9', apiKey: 'bk_x', retry: false });
console.log(JSON.stringify({ refused, client: typeof client.orchestrate }));
`,
    );
    expect(JSON.parse(out)).toEqual({ refused: 'ServiceDefinitionError', client: 'function' });
  }, 600_000);

  it('all packages: a durable run on SQLite, enhance() hits its cache, and the baton command runs', async () => {
    const dir = await project('everything', [...Object.values(tarballs), 'better-sqlite3@12']);
    const out = await node(
      dir,
      'all.mjs',
      `
import { createEngine, createRegistry, openStore } from '@baton/core';
import { enhance } from '@baton/llm';
const registry = createRegistry();
registry.register({ name: 'double', description: 'Doubles', handler: ({ x }) => ({ x: x * 2 }) });
const store = await openStore({ url: 'runs.db' });
const engine = createEngine({ registry, store });
const run = engine.run({ steps: [
  { id: 'a', target: 'double', input: { x: 1 } },
  { id: 'b', target: 'double', input: { x: { $ref: 'steps.a.output.x' } } },
  { id: 'c', target: 'double', input: { x: { $ref: 'steps.b.output.x' } } },
] });
const { output } = await run.result();
const journal = await engine.verifyJournal(run.runId);
await engine.close();
await store.close();
let calls = 0;
const answer = enhance(async (question) => { calls++; return 'answer to ' + question; });
await answer('What is the capital of France?');
await answer('What is the capital of France?');
const metrics = answer.getMetrics();
await answer.close();
console.log(JSON.stringify({ output, journalOk: journal.ok, calls, hits: metrics.hits.exact }));
`,
    );
    expect(JSON.parse(out)).toEqual({ output: { c: { x: 8 } }, journalOk: true, calls: 1, hits: 1 });
    expect(existsSync(join(dir, '.baton', 'cache.db'))).toBe(true);

    const baton = join(dir, 'node_modules', '.bin', 'baton');
    const help = await exec(baton, ['--help'], { cwd: dir });
    expect(help.stdout).toMatch(/Exit codes:/);
    const pairs = [
      { a: 'How do I reset my password?', b: 'How do I reset my password', hit: true },
      { a: 'What is the weather in Paris?', b: 'What is the weather in London?', hit: false },
    ];
    await writeFile(join(dir, 'pairs.jsonl'), pairs.map((pair) => JSON.stringify(pair)).join('\n'));
    const evaluated = await exec(baton, ['cache', 'eval', '--pairs', 'pairs.jsonl'], { cwd: dir });
    expect(JSON.parse(evaluated.stdout)).toMatchObject({ pairs: 2, precision: 1, recall: 1 });

    const served = await node(
      dir,
      'server.mjs',
      `
import { startServer } from '@baton/server';
import { createAdminClient, createClient, createService, memoryInstanceStore } from '@baton/sdk';
const server = await startServer({ databaseUrl: 'server.db', port: 0, logger: false });
const { apiKey } = await createAdminClient({ url: server.url, adminToken: server.adminToken }).createProject('p');
const upper = createService({ name: 'upper', description: 'Upper-cases', instanceStore: memoryInstanceStore(),
  handler: async (input) => ({ text: String(input.text).toUpperCase() }) });
await upper.start({ url: server.url, apiKey: apiKey.key });
const client = createClient({ url: server.url, apiKey: apiKey.key });
const run = await client.orchestrate({ action: 'shout', plan: { steps: [{ id: 'u', target: 'upper', input: { text: 'hi' } }] } });
const result = await run.result();
const docs = await fetch(server.url + '/openapi.json').then((r) => r.json());
await upper.stop();
await server.close();
console.log(JSON.stringify({ result, openapi: docs.openapi }));
`,
    );
    expect(JSON.parse(served)).toEqual({ result: { u: { text: 'HI' } }, openapi: '3.1.0' });
  }, 600_000);
});
