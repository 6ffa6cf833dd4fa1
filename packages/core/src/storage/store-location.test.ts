import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from './open-store.js';
import { UnsupportedStoreUrlError } from './storage-errors.js';
import { DEFAULT_SQLITE_PATH, maskPassword, parseStoreLocation, SUPPORTED_STORE_URLS } from './store-location.js';

describe('parseStoreLocation', () => {
  it('recognises PostgreSQL URLs and masks their password for display', () => {
    expect(parseStoreLocation('postgres://u:pw@db:5432/app')).toEqual({
      dialect: 'postgres',
      url: 'postgres://u:pw@db:5432/app',
      display: 'postgres://u:***@db:5432/app',
    });
    expect(parseStoreLocation('postgresql://db/app').dialect).toBe('postgres');
  });

  it('takes sqlite: URLs, plain paths and the default', () => {
    expect(parseStoreLocation()).toMatchObject({ dialect: 'sqlite', path: DEFAULT_SQLITE_PATH });
    expect(parseStoreLocation('sqlite:data/runs.db')).toMatchObject({ path: 'data/runs.db' });
    expect(parseStoreLocation('sqlite:///tmp/runs.db')).toMatchObject({ path: '/tmp/runs.db' });
    expect(parseStoreLocation('sqlite://./runs.db')).toMatchObject({ path: './runs.db' });
    expect(parseStoreLocation('/var/baton.db')).toMatchObject({ dialect: 'sqlite', path: '/var/baton.db' });
    expect(parseStoreLocation('sqlite::memory:')).toMatchObject({ path: ':memory:' });
  });

  it('masks passwords even in URLs it cannot parse', () => {
    expect(maskPassword('postgres://u:p%ss@host/db')).not.toContain('p%ss');
    expect(maskPassword('postgres://user@host/db')).toBe('postgres://user@host/db');
  });

  it('takes file: URLs and :memory: as SQLite', () => {
    expect(parseStoreLocation('file:///tmp/runs.db')).toMatchObject({ dialect: 'sqlite', path: '/tmp/runs.db' });
    expect(parseStoreLocation('file:data/runs.db')).toMatchObject({ dialect: 'sqlite', path: 'data/runs.db' });
    expect(parseStoreLocation(':memory:')).toMatchObject({ dialect: 'sqlite', path: ':memory:' });
    expect(parseStoreLocation('C:\\baton\\runs.db')).toMatchObject({ dialect: 'sqlite' });
  });

  it('refuses a URL of another database with a typed error naming its scheme and the supported ones', () => {
    for (const [url, scheme] of [
      ['mysql://x', 'mysql'],
      ['redis://u:secret@cache:6379/0', 'redis'],
      ['MongoDB+srv://cluster/db', 'mongodb+srv'],
    ] as const) {
      const error = (() => {
        try {
          parseStoreLocation(url);
        } catch (caught) {
          return caught;
        }
      })();
      expect(UnsupportedStoreUrlError.isInstance(error), url).toBe(true);
      expect(error).toMatchObject({ scheme, supported: SUPPORTED_STORE_URLS });
      expect((error as Error).message).not.toContain('secret');
    }
  });
});

describe('openStore with an unsupported scheme', () => {
  it('creates no file and refuses with UnsupportedStoreUrlError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-scheme-'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      await expect(openStore({ url: 'mysql://x' })).rejects.toSatisfy(UnsupportedStoreUrlError.isInstance);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      process.chdir(cwd);
    }
  });

  it('opens an in-memory SQLite store for :memory:', async () => {
    const store = await openStore({ url: ':memory:' });
    try {
      expect(store.dialect).toBe('sqlite');
      expect(await store.listRuns()).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
