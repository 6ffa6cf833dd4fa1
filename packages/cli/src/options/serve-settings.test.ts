import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../usage-error.js';
import { checkServeEnv, checkServeSettings } from './serve-settings.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-serve-settings-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const check = (flags: { db?: string; host?: string }, env: NodeJS.ProcessEnv = {}) =>
  checkServeSettings({ port: 0, ...flags }, env, join(dir, 'default.db'));

describe('the settings of baton serve', () => {
  it('accepts a new file in folders still to be made, an existing one, postgres and memory', async () => {
    await check({ db: join(dir, 'a', 'b', 'server.db') });
    await writeFile(join(dir, 'there.db'), '');
    await check({ db: join(dir, 'there.db') });
    await check({ db: 'postgres://user:pw@db.example/baton' });
    await check({ db: 'memory:' });
    await check({}, { BATON_DATABASE_URL: `sqlite:${join(dir, 'env.db')}` });
    await check({ host: 'localhost' });
  });

  it('refuses a folder as the database, naming it', async () => {
    await mkdir(join(dir, 'folder'));
    await expect(check({ db: join(dir, 'folder') })).rejects.toThrow(
      `--db "${join(dir, 'folder')}" cannot be used as the SQLite database: ${join(dir, 'folder')} is a folder`,
    );
  });

  it('names BATON_DATABASE_URL when it is the path through a file, and a scheme it cannot use', async () => {
    await writeFile(join(dir, 'afile'), '');
    const value = join(dir, 'afile', 'x.db');
    await expect(check({}, { BATON_DATABASE_URL: value })).rejects.toThrow(
      `BATON_DATABASE_URL "${value}" cannot be used as the SQLite database: ${join(dir, 'afile')} is a file, not a folder`,
    );
    await expect(check({ db: 'mysql://x' })).rejects.toSatisfy(
      (error) => UsageError.isInstance(error) && error.message.startsWith('--db "mysql://x" cannot be used: '),
    );
  });

  it('checks BATON_PORT only when --port is not given; an empty variable is unset', () => {
    expect(() => checkServeEnv({ BATON_PORT: 'abc' }, { portFlag: true })).not.toThrow();
    expect(() => checkServeEnv({ BATON_PORT: 'abc' }, { portFlag: false })).toThrow(UsageError);
    expect(() =>
      checkServeEnv({ BATON_SERVICE_GRACE_MS: '', BATON_RATE_LIMIT: '' }, { portFlag: false }),
    ).not.toThrow();
    expect(() =>
      checkServeEnv({ BATON_SERVICE_GRACE_MS: '0', BATON_RATE_LIMIT: '5' }, { portFlag: false }),
    ).not.toThrow();
    expect(() => checkServeEnv({ BATON_SERVICE_GRACE_MS: '1.5' }, { portFlag: false })).toThrow(
      'BATON_SERVICE_GRACE_MS must be a whole number of milliseconds, 0 or more, got "1.5"',
    );
  });
});
