import { describe, expect, it } from 'vitest';
import { DEFAULT_SQLITE_PATH, maskPassword, parseStoreLocation } from './store-location.js';

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
});
