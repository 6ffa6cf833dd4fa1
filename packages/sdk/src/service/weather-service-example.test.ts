/**
 * The README's example service (`examples/weather-service.ts`, run by `npm run example:service`) as a new user meets
 * it: one line for each connection that fails or closes, with the reason, and an exit when retrying cannot help. It
 * lives here because the test globs cover `packages/*\/src` and `test/`, not `examples/`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type FakeServer, startFakeServer } from './fake-server-test-kit.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const example = join(root, 'examples', 'weather-service.ts');
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface RunningExample {
  lines: string[];
  exited: Promise<number | null>;
  waitForLine(pattern: RegExp): Promise<string>;
}

async function runExample(url: string, apiKey: string): Promise<RunningExample> {
  // Inside the repository, so the example's imports resolve; its instance file lands in this folder's .baton/.
  await mkdir(join(root, '.baton'), { recursive: true });
  const cwd = await mkdtemp(join(root, '.baton', 'example-'));
  const child: ChildProcess = spawn(process.execPath, ['--conditions=@baton/source', '--import', 'tsx', example], {
    cwd,
    env: { ...process.env, BATON_URL: url, BATON_API_KEY: apiKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    await rm(cwd, { recursive: true, force: true });
  });
  const lines: string[] = [];
  let pending = '';
  const collect = (chunk: Buffer) => {
    const parts = (pending + chunk.toString()).split('\n');
    pending = parts.pop() ?? '';
    lines.push(...parts);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const waitForLine = async (pattern: RegExp) => {
    await vi.waitFor(
      () =>
        expect(
          lines.some((line) => pattern.test(line)),
          lines.join('\n'),
        ).toBe(true),
      {
        timeout: 15_000,
        interval: 20,
      },
    );
    return lines.find((line) => pattern.test(line))!;
  };
  return { lines, exited, waitForLine };
}

async function fakeServer(): Promise<FakeServer> {
  const server = await startFakeServer({ apiKey: 'bk_right' });
  cleanups.push(() => server.close());
  return server;
}

describe('examples/weather-service.ts', () => {
  it('says the key was refused, at which URL, and exits 1', async () => {
    const server = await fakeServer();
    const run = await runExample(server.url, 'bk_wrong');
    expect(await run.exited).toBe(1);
    expect(run.lines.filter((line) => line !== '')).toEqual([
      `could not connect to ${server.url}: the server refused the upgrade with HTTP 401 Unauthorized`,
      expect.stringMatching(
        new RegExp(`^weather did not start: .*the server at ${escaped(server.url)} refused the API key \\(HTTP 401`),
      ),
    ]);
  });

  it('prints each failed attempt to reach a server that is not running, with the reason, and keeps trying', async () => {
    const gone = await startFakeServer();
    await gone.close();
    const run = await runExample(gone.url, 'bk_right');
    await vi.waitFor(() => expect(run.lines.length).toBeGreaterThanOrEqual(2), { timeout: 15_000, interval: 20 });
    for (const line of run.lines) {
      expect(line).toMatch(new RegExp(`^could not connect to ${escaped(gone.url)}: connect ECONNREFUSED`));
    }
  });

  it('prints a close with its code and reason, reconnects, and exits when the key is revoked', async () => {
    const server = await fakeServer();
    const run = await runExample(server.url, 'bk_right');
    await run.waitForLine(/^weather is registered with /);
    server.closeConnection(1001, 'server shutting down');
    await run.waitForLine(
      new RegExp(`^the connection to ${escaped(server.url)} closed with code 1001 \\(server shutting down\\)$`),
    );
    await server.waitFor(() => server.connections === 2);
    server.closeConnection(4001, 'api key revoked');
    expect(await run.exited).toBe(1);
    expect(run.lines.at(-1) === '' ? run.lines.at(-2) : run.lines.at(-1)).toMatch(
      /^weather stopped: the server at .* closed the socket with 4001 \(the API key was revoked\)/,
    );
  });
});
