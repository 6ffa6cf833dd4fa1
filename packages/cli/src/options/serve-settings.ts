/**
 * Checks what `baton serve` (and `baton quickstart`) is given before anything is created: the numeric `BATON_*`
 * settings, the address to listen on and the SQLite file. A bad one is a `UsageError` naming the flag or variable
 * and its value, instead of Node's `ERR_SOCKET_BAD_PORT`, `getaddrinfo ENOTFOUND` or `ENOTDIR` as an unexpected error
 * after the database was opened.
 */
import { constants, existsSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { BatonError, parseStoreLocation } from '@baton/core';
import { UsageError } from '../usage-error.js';
import { port } from './parse-options.js';

/** A value and where it came from (`--host`, `BATON_HOST`, …), to name both when it cannot be used. */
export interface Setting {
  name: string;
  value: string;
}

/** A variable that is set to something (an empty one counts as unset, as `serverOptionsFromEnv` reads it). */
export function envSetting(env: NodeJS.ProcessEnv, name: string): Setting | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : { name, value };
}

/** What `baton serve` was given on its command line. */
export interface ServeFlags {
  port?: number;
  host?: string;
  db?: string;
}

/**
 * Every setting of `baton serve` that can be checked before the server starts; `defaultDatabase` is the server's
 * own default. Resolves with the database setting in use, for the messages of what fails later.
 */
export async function checkServeSettings(
  flags: ServeFlags,
  env: NodeJS.ProcessEnv,
  defaultDatabase: string,
): Promise<{ database: Setting; databaseShown: string }> {
  checkServeEnv(env, { portFlag: flags.port !== undefined });
  const host = flags.host === undefined ? envSetting(env, 'BATON_HOST') : { name: '--host', value: flags.host };
  if (host !== undefined) await checkHost(host);
  const database: Setting =
    flags.db === undefined
      ? (envSetting(env, 'BATON_DATABASE_URL') ?? { name: 'the default database', value: defaultDatabase })
      : { name: '--db', value: flags.db };
  const location = storeLocation(database);
  if (location.dialect !== 'sqlite') return { database, databaseShown: location.display };
  await checkDatabasePath(database, location.path);
  // A new file is said so: a mistyped path would otherwise look like a database that lost its data.
  const path = resolve(location.path);
  return { database, databaseShown: existsSync(path) ? path : `${path} (new: created now)` };
}

function storeLocation(database: Setting): ReturnType<typeof parseStoreLocation> {
  try {
    return parseStoreLocation(database.value);
  } catch (error) {
    if (!BatonError.isInstance(error)) throw error;
    throw new UsageError(`${database.name} "${database.value}" cannot be used: ${error.message}`, { cause: error });
  }
}

/** A whole number of `unit`, `min` or more, e.g. a grace period in milliseconds. */
function wholeNumber(name: string, min: number, unit: string) {
  return (value: string): number => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isSafeInteger(number) || number < min) {
      throw new UsageError(`${name} must be a whole number of ${unit}, ${min} or more, got "${value}"`);
    }
    return number;
  };
}

/**
 * The numeric variables `serverOptionsFromEnv` reads: `BATON_PORT` (or `PORT`, unless `--port` is given),
 * `BATON_RATE_LIMIT` and `BATON_SERVICE_GRACE_MS`; and `BATON_WEBHOOK_ALLOW_PRIVATE`, 1 / true or 0 / false.
 */
export function checkServeEnv(env: NodeJS.ProcessEnv, options: { portFlag: boolean }): void {
  const portName = env.BATON_PORT === undefined ? 'PORT' : 'BATON_PORT';
  const portSetting = options.portFlag ? undefined : envSetting(env, portName);
  if (portSetting !== undefined) port(portSetting.name)(portSetting.value);
  const rate = envSetting(env, 'BATON_RATE_LIMIT');
  if (rate !== undefined) wholeNumber(rate.name, 1, 'requests a second')(rate.value);
  const grace = envSetting(env, 'BATON_SERVICE_GRACE_MS');
  if (grace !== undefined) wholeNumber(grace.name, 0, 'milliseconds')(grace.value);
  // The server turns it on for 1 or true only: any other word would leave private addresses refused unsaid.
  const privateHooks = envSetting(env, 'BATON_WEBHOOK_ALLOW_PRIVATE');
  if (privateHooks !== undefined && !['1', 'true', '0', 'false'].includes(privateHooks.value)) {
    throw new UsageError(
      `BATON_WEBHOOK_ALLOW_PRIVATE must be 1 (or true) to let webhooks reach private addresses, or 0 (or false), got "${privateHooks.value.slice(0, 40)}"`,
    );
  }
}

/** The address to listen on resolves and is one of this machine's: tried on a free port, then let go. */
export async function checkHost(host: Setting): Promise<void> {
  const probe = createServer();
  const failure = await new Promise<NodeJS.ErrnoException | undefined>((done) => {
    probe.once('error', done);
    probe.listen(0, host.value, () => probe.close(() => done(undefined)));
  });
  if (failure === undefined) return;
  const reason =
    failure.code === 'ENOTFOUND' || failure.code === 'EAI_AGAIN'
      ? 'is not an address and no host of that name resolves'
      : failure.code === 'EADDRNOTAVAIL'
        ? 'is not an address of this machine'
        : `cannot be listened on (${failure.code ?? failure.message})`;
  throw new UsageError(
    `${host.name} "${host.value}" ${reason}: use an address of this machine, such as 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)`,
    { cause: failure },
  );
}

/**
 * A SQLite file can be opened or created there: no part of its path is a file, it is not a folder, and the folder it
 * goes in (or the nearest one that exists) may be written. `path` is the file's path, not a URL.
 */
export async function checkDatabasePath(database: Setting, path: string): Promise<void> {
  const file = resolve(path);
  const unusable = (why: string) =>
    new UsageError(`${database.name} "${database.value}" cannot be used as the SQLite database: ${why}`);
  const found = await stat(file).catch(() => undefined);
  if (found?.isDirectory()) throw unusable(`${file} is a folder; name a file in it, e.g. ${file}/server.db`);
  const writable = found === undefined ? await nearestExisting(dirname(file)) : file;
  if (found === undefined && !(await stat(writable)).isDirectory()) {
    throw unusable(`${writable} is a file, not a folder`);
  }
  await access(writable, constants.W_OK).catch(() => {
    throw unusable(`${writable} cannot be written by this user`);
  });
}

/** The path itself, or its nearest parent that exists (the one the server's folders would be made in). */
async function nearestExisting(path: string): Promise<string> {
  let current = path;
  while (dirname(current) !== current && (await stat(current).catch(() => undefined)) === undefined) {
    current = dirname(current);
  }
  return current;
}
