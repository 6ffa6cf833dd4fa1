import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../input-error.js';
import { readConfig, writeConfig } from './cli-config.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-cli-config-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the saved config', () => {
  it('is written through a rename, 0600 in a 0700 folder, and read back', async () => {
    const path = join(dir, '.baton', 'config.json');
    await writeConfig({ url: 'http://127.0.0.1:7400', apiKey: 'bk_1' }, path);
    expect(await readConfig(path)).toEqual({ url: 'http://127.0.0.1:7400', apiKey: 'bk_1' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, '.baton'))).mode & 0o777).toBe(0o700);
  });

  it('a missing file is an empty config; a broken one an InputError naming it', async () => {
    expect(await readConfig(join(dir, 'none.json'))).toEqual({});
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"url":');
    await expect(readConfig(broken)).rejects.toSatisfy(
      (error) => InputError.isInstance(error) && error.message === `${broken} is not valid JSON: run baton login again`,
    );
    await writeFile(broken, '[]');
    await expect(readConfig(broken)).rejects.toThrow(/must hold a JSON object \{ url, apiKey \}/);
  });

  it('keeps only string url and apiKey', async () => {
    const path = join(dir, 'odd.json');
    await writeFile(path, JSON.stringify({ url: 7, apiKey: 'bk_1', extra: true }));
    expect(await readConfig(path)).toEqual({ apiKey: 'bk_1' });
  });
});
