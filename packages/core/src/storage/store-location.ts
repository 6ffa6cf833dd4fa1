/**
 * Where a store lives, from its URL: `postgres://…` or `postgresql://…` for PostgreSQL; `sqlite:<path>`, a plain path
 * or nothing (`.baton/baton.db`) for SQLite. `display` is the location to show in messages, its password masked.
 */
import { requireArgument } from '../errors/require-argument.js';
import { ValidationError } from '../errors/validation-error.js';

export const DEFAULT_SQLITE_PATH = '.baton/baton.db';

export type StoreLocation =
  | { dialect: 'postgres'; url: string; display: string }
  | { dialect: 'sqlite'; path: string; display: string };

/** `url` with its password replaced by `***`. */
export function maskPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  }
}

export function parseStoreLocation(url: string = DEFAULT_SQLITE_PATH): StoreLocation {
  requireArgument('openStore', 'url', typeof url === 'string', 'a postgres:// URL or a SQLite path', url);
  if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgres', url, display: maskPassword(url) };
  const path = /^sqlite:/i.test(url) ? url.slice('sqlite:'.length).replace(/^\/\/(?=\/|\.|[a-z]:)/i, '') : url;
  if (path === '') {
    throw new ValidationError('openStore: bad url', [
      {
        path: 'url',
        code: 'empty-path',
        message: `"${url}" names no SQLite file; use sqlite:<path>, e.g. sqlite:.baton/baton.db`,
      },
    ]);
  }
  return { dialect: 'sqlite', path, display: path };
}
