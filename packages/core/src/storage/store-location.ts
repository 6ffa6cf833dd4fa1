/**
 * Where a store lives, from its URL: `postgres://…` or `postgresql://…` for PostgreSQL; `memory:` for this process's
 * memory (a new, empty store each time); `sqlite:<path>`, `file:<path>`,
 * a plain path, `:memory:` or nothing (`.baton/baton.db`) for SQLite. Any other scheme is refused, so a URL meant for
 * another database never becomes a SQLite file named after it. `display` is the location to show in messages, its
 * password masked.
 */
import { fileURLToPath } from 'node:url';
import { requireArgument } from '../errors/require-argument.js';
import { ValidationError } from '../errors/validation-error.js';
import { UnsupportedStoreUrlError } from './storage-errors.js';

export const DEFAULT_SQLITE_PATH = '.baton/baton.db';

export type StoreLocation =
  | { dialect: 'postgres'; url: string; display: string }
  | { dialect: 'sqlite'; path: string; display: string }
  | { dialect: 'memory'; display: string };

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

/** What `openStore` accepts, for the message of a refused URL. */
export const SUPPORTED_STORE_URLS = [
  'postgres://…',
  'memory:',
  'postgresql://…',
  'sqlite:<path>',
  'file:<path>',
  'a plain file path',
  ':memory:',
] as const;

/** A URL scheme: two characters or more, so a Windows drive (`C:\\runs.db`) stays a plain path. */
const SCHEME = /^([a-z][a-z0-9+.-]+):/i;

export function parseStoreLocation(url: string = DEFAULT_SQLITE_PATH): StoreLocation {
  requireArgument('openStore', 'url', typeof url === 'string', 'a postgres:// URL or a SQLite path', url);
  if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgres', url, display: maskPassword(url) };
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'memory') return memoryLocation(url);
  if (scheme !== undefined && scheme !== 'sqlite' && scheme !== 'file') {
    throw new UnsupportedStoreUrlError(scheme, maskPassword(url), SUPPORTED_STORE_URLS);
  }
  const path =
    scheme === 'sqlite'
      ? url.slice('sqlite:'.length).replace(/^\/\/(?=\/|\.|[a-z]:)/i, '')
      : scheme === 'file'
        ? filePath(url)
        : url;
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

/** `file:///abs/runs.db` as an absolute path; `file:runs.db` and `file:./runs.db` relative, as SQLite reads them. */
function filePath(url: string): string {
  if (/^file:\/\//i.test(url)) return fileURLToPath(url);
  return url.slice('file:'.length);
}

/** `memory:` names no place, so anything after the colon is refused rather than silently ignored. */
function memoryLocation(url: string): StoreLocation {
  if (url.length === 'memory:'.length) return { dialect: 'memory', display: 'memory:' };
  throw new ValidationError('openStore: bad url', [
    {
      path: 'url',
      code: 'memory-path',
      message: `"${url}" gives a memory store a path; a memory store has none — use exactly memory:`,
    },
  ]);
}
