import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.js';
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

  it('refuses a URL of another scheme instead of taking it for a file name', () => {
    for (const url of ['mysql://x', 'redis://127.0.0.1:6379', 'https://db.example.com/app', 'file:///tmp/x.db']) {
      let caught: unknown;
      try {
        parseStoreLocation(url);
      } catch (error) {
        caught = error;
      }
      expect(ValidationError.isInstance(caught), url).toBe(true);
      expect((caught as ValidationError).problems).toMatchObject([{ path: 'url', code: 'unsupported-scheme' }]);
    }
    expect(() => parseStoreLocation('mysql://root:secret@db/app')).toThrow(/mysql:\/\/root:\*\*\*@db\/app/);
    expect(() => parseStoreLocation('mysql://root:secret@db/app')).not.toThrow(/secret/);
  });

  it('masks passwords even in URLs it cannot parse', () => {
    expect(maskPassword('postgres://u:p%ss@host/db')).not.toContain('p%ss');
    expect(maskPassword('postgres://user@host/db')).toBe('postgres://user@host/db');
  });
});
