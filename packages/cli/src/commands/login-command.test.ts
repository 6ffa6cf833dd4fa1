import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SERVER_VERSION } from '@baton/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliTestServer, closedPort, hasStack, startCliTestServer, startContractServer } from '../cli-test-kit.js';

let t: CliTestServer;
beforeAll(async () => {
  t = await startCliTestServer();
});
afterAll(() => t.close());

const configFile = () => join(t.home, '.baton', 'config.json');

describe('baton login', () => {
  it('checks the server and the key, then saves them in ~/.baton/config.json, private to the user', async () => {
    const result = await t.baton(['login', '--url', t.url, '--key', t.apiKey], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Logged in to ${t.url} (Baton server ${SERVER_VERSION})`);
    expect(JSON.parse(await readFile(configFile(), 'utf8'))).toEqual({ url: t.url, apiKey: t.apiKey });
    expect((await stat(configFile())).mode & 0o777).toBe(0o600);
    expect((await stat(join(t.home, '.baton'))).mode & 0o777).toBe(0o700);
    const services = await t.baton(['services', 'ls'], {});
    expect(services.code).toBe(0);
    expect(services.stdout).toContain('No services registered');
  });

  it('--json tells the URL, the server version and where the config went', async () => {
    const result = await t.baton(['login', '--url', `${t.url}/`, '--key', t.apiKey, '--json'], {});
    expect(JSON.parse(result.stdout)).toEqual({ url: t.url, serverVersion: SERVER_VERSION, configPath: configFile() });
  });

  it('a key the server refuses: exit 6, one line saying what to do, and the saved config is left alone', async () => {
    await mkdir(join(t.home, '.baton'), { recursive: true });
    await writeFile(configFile(), JSON.stringify({ url: t.url, apiKey: t.apiKey }));
    const result = await t.baton(['login', '--url', t.url, '--key', 'bk_wrong'], {});
    expect(result.code).toBe(6);
    expect(result.stderr.trim().split('\n')).toEqual([
      'baton: the server refused the API key (401 Unauthorized: the API key is not valid or was revoked); check the key given with --key: a project API key (bk_…) is shown once, by baton projects add or baton api-keys add',
    ]);
    expect(JSON.parse(await readFile(configFile(), 'utf8')).apiKey).toBe(t.apiKey);
  });

  it('a server that cannot be reached: exit 5, no stack trace unless --debug', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await t.baton(['login', '--url', url, '--key', t.apiKey], {});
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(
      new RegExp(`^baton: could not reach the server: GET ${url}/health failed: .*ECONNREFUSED`),
    );
    expect(hasStack(result.stderr)).toBe(false);
    const debug = await t.baton(['--debug', 'login', '--url', url, '--key', t.apiKey], {});
    expect(debug.code).toBe(5);
    expect(hasStack(debug.stderr)).toBe(true);
  });

  it('a URL that is not http(s) is a usage mistake (exit 2)', async () => {
    const result = await t.baton(['login', '--url', 'ftp://example.com', '--key', t.apiKey], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^baton: url must use http or https, got "ftp:\/\/example.com"/);
  });

  it('BATON_URL and BATON_API_KEY win over the saved file', async () => {
    await writeFile(configFile(), JSON.stringify({ url: `http://127.0.0.1:${await closedPort()}`, apiKey: 'bk_old' }));
    expect((await t.baton(['services', 'ls'], {})).code).toBe(5);
    expect((await t.baton(['services', 'ls'], { BATON_URL: t.url, BATON_API_KEY: 'bk_wrong' })).code).toBe(6);
    expect((await t.baton(['services', 'ls'], t.env)).code).toBe(0);
  });

  it('the saved key goes only to the server it was saved for: BATON_URL of another server gets no key, exit 2', async () => {
    const other = await startContractServer({});
    try {
      expect((await t.baton(['login', '--url', t.url, '--key', t.apiKey], {})).code).toBe(0);
      const result = await t.baton(['ps'], { BATON_URL: other.url });
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([
        `baton: no API key is known for ${other.url} (the saved key is for ${t.url} only): set BATON_API_KEY to a key of its project, or run baton login --url ${other.url} --key KEY`,
      ]);
      expect(other.requests).toEqual([]);
      // The same server, written another way, still gets its key.
      const same = await t.baton(['ps'], { BATON_URL: `${t.url.replace('http://', 'HTTP://')}/` });
      expect(same.code).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('a BATON_URL without its scheme: exit 2, saying what to write', async () => {
    const host = t.url.replace('http://', '');
    const result = await t.baton(['ps'], { BATON_URL: host });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `baton: the server URL "${host}" (BATON_URL) is not an http(s) URL: use http://${host}`,
    );
    const odd = await t.baton(['ps'], { BATON_URL: 'ftp://example.com' });
    expect(odd.stderr.trim()).toBe(
      'baton: the server URL "ftp://example.com" (BATON_URL) is not an http(s) URL, such as http://127.0.0.1:7400',
    );
  });

  it('no server configured anywhere: exit 2 and how to configure one', async () => {
    const result = await t.baton(['ps'], { HOME: join(t.home, 'nobody') });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^baton: no server URL configured: run baton login --url URL --key KEY/);
  });
});
