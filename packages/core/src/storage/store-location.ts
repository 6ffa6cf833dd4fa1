/**
 * Where a store lives, from its URL: `postgres://…` or `postgresql://…` for PostgreSQL; `sqlite:<path>`, a plain path
 * or nothing (`.baton/baton.db`) for SQLite. Any other `scheme://` is refused, never taken for a file name. `display` is the location to show in messages, its password masked.
 */
import { describeValue } from '../errors/describe-value.js';
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
  const scheme = /^([a-z][a-z0-9+.-]+):\/\//i.exec(url)?.[1];
  if (scheme !== undefined && scheme.toLowerCase() !== 'sqlite') {
    throw new ValidationError('openStore: unsupported store URL', [
      {
        path: 'url',
        code: 'unsupported-scheme',
        message: `${describeValue(maskPassword(url))} uses the scheme ${scheme}://, which Baton has no store for; use postgres:// or postgresql:// for PostgreSQL, or sqlite:<path> or a plain file path for SQLite`,
      },
    ]);
  }
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
