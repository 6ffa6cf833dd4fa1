import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SERVER_VERSION } from '@baton/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, type CliTestServer, closedPort, startCliTestServer } from '../cli-test-kit.js';
import { CLI_VERSION } from '../cli-version.js';

let t: CliTestServer;
beforeAll(async () => {
  t = await startCliTestServer();
});
afterAll(() => t.close());

describe('baton version', () => {
  it("prints the CLI's version and the server's", async () => {
    const result = await t.baton(['version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`baton ${CLI_VERSION}\nserver ${SERVER_VERSION} at ${t.url}\n`);
    const json = JSON.parse((await t.baton(['version', '--json'])).stdout);
    expect(json).toEqual({ cli: CLI_VERSION, server: SERVER_VERSION, url: t.url });
  });

  it('needs no API key: /health is open', async () => {
    const result = await t.baton(['version'], { BATON_URL: t.url });
    expect(result.stdout).toBe(`baton ${CLI_VERSION}\nserver ${SERVER_VERSION} at ${t.url}\n`);
  });

  it("a server that cannot be reached: the CLI's version, why, and exit 5", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await t.baton(['version', '--json'], { BATON_URL: url });
    expect(result.code).toBe(5);
    expect(JSON.parse(result.stdout)).toEqual({ cli: CLI_VERSION, server: null, url });
    expect(result.stderr).toMatch(/^baton: could not reach the server: GET .*\/health failed: .*ECONNREFUSED/);
  });

  it("no server configured: the CLI's version, and exit 2 saying so, not that a server could not be reached", async () => {
    const result = await t.baton(['version'], {});
    expect(result.code).toBe(2);
    expect(result.stdout).toBe(`baton ${CLI_VERSION}\nserver not configured\n`);
    expect(result.stderr).toMatch(
      /^baton: no server configured: run baton login --url URL --key KEY, or set BATON_URL/,
    );
  });
});

describe('baton version with a server URL written wrong', () => {
  it("prints the CLI's version, then exit 2 saying what is wrong with the URL", async () => {
    const result = await t.baton(['version'], { BATON_URL: '127.0.0.1:7400' });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe(`baton ${CLI_VERSION}\nserver not configured\n`);
    expect(result.stderr.trim()).toBe(
      'baton: the server URL "127.0.0.1:7400" (BATON_URL) is not an http(s) URL: use http://127.0.0.1:7400',
    );
  });
});

describe('baton --version', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-cli-loads-'));
    // A resolve hook that writes down every module the process loads.
    await writeFile(
      join(dir, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(${JSON.stringify(join(dir, 'loaded.txt'))}, resolved.url + '\\n');
  return resolved;
}`,
    );
    await writeFile(
      join(dir, 'register.mjs'),
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints the CLI version only, without loading the SDK, the server or the live display', async () => {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--import', join(dir, 'register.mjs'), BIN, '--version'], (error, out) =>
        error ? reject(error) : resolve(out),
      ),
    );
    expect(stdout).toBe(`${CLI_VERSION}\n`);
    const loaded = (await readFile(join(dir, 'loaded.txt'), 'utf8')).trim().split('\n');
    expect(loaded.some((url) => url.includes('/cli/dist/main.js'))).toBe(true);
    expect(
      loaded.filter((url) => /\/(sdk|server|llm|cache)\/(dist|src)\/|log-update|@baton\/(sdk|server)/.test(url)),
    ).toEqual([]);
  });
});
