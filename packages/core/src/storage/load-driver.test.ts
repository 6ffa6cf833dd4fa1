import { describe, expect, it } from 'vitest';
import { MissingDependencyError } from '../errors/missing-dependency-error.js';
import { loadDriver } from './load-driver.js';

/** What Node throws when a package is not installed. */
const notFound = (name: string) =>
  Object.assign(new Error(`Cannot find package '${name}' imported from /app/store.js`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });

describe('loadDriver', () => {
  it('names the missing driver, what needs it and how to install it', async () => {
    const error = await loadDriver('better-sqlite3', () => Promise.reject(notFound('better-sqlite3'))).catch(
      (caught) => caught,
    );
    expect(MissingDependencyError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ packageName: 'better-sqlite3', code: 'missing-dependency' });
    expect(error.message).toMatch(/SQLite store.*npm install better-sqlite3/);
  });

  it('passes on any other failure, including a missing module the driver itself needs', async () => {
    const other = notFound('bindings');
    await expect(loadDriver('better-sqlite3', () => Promise.reject(other))).rejects.toBe(other);
    const broken = new Error('boom');
    await expect(loadDriver('pg', () => Promise.reject(broken))).rejects.toBe(broken);
  });

  it('loads the real drivers that are installed', async () => {
    expect(typeof (await loadDriver('pg', () => import('./open-postgres-store.js'))).openPostgresStore).toBe(
      'function',
    );
    const sqlite = await loadDriver('better-sqlite3', () => import('./open-sqlite-store.js'));
    expect(typeof sqlite.openSqliteStore).toBe('function');
  });
});
