/**
 * Opens a RunStore from a URL: PostgreSQL for `postgres://…`, a fresh store in this process's memory for `memory:`
 * (`createMemoryStore`), SQLite (the embedded default, `.baton/baton.db`) otherwise. The drivers (`better-sqlite3`,
 * `pg`) are optional peer dependencies, loaded only for the store asked for, so the in-memory engine installs without
 * native modules; a missing one is a `MissingDependencyError`. Opening checks the database before touching it —
 * unreachable, corrupt, foreign and too-new databases are refused with a typed error and left as they were — then
 * applies pending migrations.
 *
 * @example
 * ```ts
 * const store = await openStore(); // .baton/baton.db
 * const shared = await openStore({ url: process.env.DATABASE_URL });
 * ```
 */
import { quoteText } from '../errors/quote-text.js';
import { requireArgument } from '../errors/require-argument.js';
import { ValidationError } from '../errors/validation-error.js';
import { createMemoryStore } from './create-memory-store.js';
import { loadDriver } from './load-driver.js';
import type { RunStore } from './run-store.js';
import { STORE_DEFAULTS } from './store-defaults.js';
import { parseStoreLocation } from './store-location.js';

export { STORE_DEFAULTS } from './store-defaults.js';

export interface OpenStoreOptions {
  /**
   * `postgres://user:password@host:5432/db` or `postgresql://…` for PostgreSQL; `sqlite:<path>` or a plain path for
   * SQLite (its folder is created); `memory:` for a new store in this process's memory, gone when the process ends.
   * @default '.baton/baton.db'
   */
  url?: string;
  /** Journal data whose canonical JSON is larger than this is stored once, by content hash. @default 65536 */
  blobThresholdBytes?: number;
  /** How long finished runs are kept; the default for `purge()`. @default 2592000000 (30 days) */
  retentionMs?: number;
  /** PostgreSQL: the schema for Baton's tables (created if missing); the server's `search_path` when absent. */
  schema?: string;
  /** PostgreSQL: give up connecting after this long. @default 5000 */
  connectTimeoutMs?: number;
  /** PostgreSQL: connections in the pool (plus one for LISTEN). @default 10 */
  poolSize?: number;
  /**
   * PostgreSQL: `true` makes every journal write wait until the server has flushed it to disk, so a run survives a
   * crash of the engine, of the database server and of the machine. `false` (`synchronous_commit = off`) returns once
   * the server has the write: a run still survives any crash of the engine, and the database stays consistent, but a
   * crash of the PostgreSQL server itself may forget the last few hundred milliseconds of journal — those steps then
   * run again, with the same idempotency keys. The same trade SQLite's WAL mode makes by default.
   * @default true
   */
  synchronousCommit?: boolean;
  /**
   * SQLite: `true` commits what is written during one turn of the event loop (new runs, journal entries, final states
   * of many runs) in one transaction at the end of the turn — for many runs at once, as a server has; `false` commits
   * each write at once, the lowest latency for a run whose steps each wait for their entry. Every write is answered
   * only once it has committed, either way. @default false
   */
  groupCommit?: boolean;
  /** SQLite: how long a writer waits for another process's write lock. @default 5000 */
  busyTimeoutMs?: number;
  /** SQLite: how often `waitForWork` checks for commits by other processes. @default 50 */
  pollIntervalMs?: number;
}

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  const chosen = value ?? fallback;
  const ok = typeof chosen === 'number' && Number.isFinite(chosen) && chosen >= 0 && (allowZero || chosen > 0);
  requireArgument('openStore', name, ok, `a ${allowZero ? 'non-negative' : 'positive'} number`, value);
  return chosen;
}

function flag(name: string, value: boolean | undefined, fallback: boolean): boolean {
  requireArgument('openStore', name, value === undefined || typeof value === 'boolean', 'true or false', value);
  return value ?? fallback;
}

const KNOWN_OPTIONS = [
  'url',
  'blobThresholdBytes',
  'retentionMs',
  'schema',
  'connectTimeoutMs',
  'poolSize',
  'synchronousCommit',
  'groupCommit',
  'busyTimeoutMs',
  'pollIntervalMs',
] as const satisfies readonly (keyof OpenStoreOptions)[];

/** Words people write for where the store is, which `url` holds. */
const LOCATION_WORDS = new Set(['path', 'file', 'filename', 'database', 'databaseUrl', 'db', 'connectionString']);

/** An option this version does not know would be ignored: a typo'd location would open another database. */
function refuseUnknownOptions(options: object): void {
  const problems = Object.keys(options)
    .filter((key) => !(KNOWN_OPTIONS as readonly string[]).includes(key))
    .map((key) => ({
      path: key,
      code: 'unknown-option',
      message: `unknown option ${quoteText(key)} (known: ${KNOWN_OPTIONS.join(', ')})${LOCATION_WORDS.has(key) ? '; where the store is goes in url: a file path, sqlite:…, postgres://… or memory:' : ''}`,
    }));
  if (problems.length > 0) throw new ValidationError('invalid openStore arguments', problems);
}

export async function openStore(options: OpenStoreOptions = {}): Promise<RunStore> {
  const expected = typeof options === 'string' ? `an object such as { url: ${quoteText(options)} }` : 'an object';
  requireArgument('openStore', 'options', typeof options === 'object' && options !== null, expected, options);
  refuseUnknownOptions(options);
  const settings = {
    blobThresholdBytes: positive(
      'blobThresholdBytes',
      options.blobThresholdBytes,
      STORE_DEFAULTS.blobThresholdBytes,
      true,
    ),
    retentionMs: positive('retentionMs', options.retentionMs, STORE_DEFAULTS.retentionMs, true),
  };
  const synchronousCommit = flag('synchronousCommit', options.synchronousCommit, true);
  const location = parseStoreLocation(options.url);
  if (location.dialect === 'memory') return createMemoryStore(settings);
  if (location.dialect === 'sqlite') {
    const busyTimeoutMs = positive('busyTimeoutMs', options.busyTimeoutMs, STORE_DEFAULTS.busyTimeoutMs, true);
    const pollMs = positive('pollIntervalMs', options.pollIntervalMs, STORE_DEFAULTS.pollIntervalMs);
    const { openSqliteStore } = await loadDriver('better-sqlite3', () => import('./open-sqlite-store.js'));
    const groupCommit = flag('groupCommit', options.groupCommit, false);
    return openSqliteStore(location, { busyTimeoutMs, pollMs, groupCommit }, settings);
  }
  const connection = {
    url: location.url,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, STORE_DEFAULTS.connectTimeoutMs),
    poolSize: positive('poolSize', options.poolSize, STORE_DEFAULTS.poolSize),
    synchronousCommit,
  };
  const { openPostgresStore } = await loadDriver('pg', () => import('./open-postgres-store.js'));
  return openPostgresStore(location, connection, options.schema, settings);
}
