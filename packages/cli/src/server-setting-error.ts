/**
 * Why `baton serve` could not start with a setting it was given, as a usage mistake (exit code 2) naming the variable
 * or flag: a secret key or admin token the server refused (`startServer`'s `ValidationError`), a database folder the
 * system would not let it make or write, or a SQLite file another server is using. Anything else stays the unexpected
 * error it is.
 */
import { BatonError, ValidationError } from '@baton/core/errors';
import type { Setting } from './options/serve-settings.js';
import { UsageError } from './usage-error.js';

/** The options of `startServer` a person sets through a variable. */
const SETTING_PATHS = new Set(['adminToken', 'secretKey']);
const FOLDER_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST']);

export function serverSettingError(error: unknown, database: Setting): UsageError | undefined {
  // Told by its code: the error class lives in @baton/server, which the CLI loads only to start one.
  if (BatonError.isInstance(error) && error.code === 'database-in-use') {
    return new UsageError(`${error.message} (another database: ${database.name})`, { cause: error });
  }
  if (ValidationError.isInstance(error) && error.problems.every((problem) => SETTING_PATHS.has(problem.path))) {
    return new UsageError(error.problems.map((problem) => problem.message).join('; '), { cause: error });
  }
  const system = (BatonError.isInstance(error) && error.code === 'storage-unreachable' ? error.cause : error) as {
    code?: unknown;
    message?: unknown;
  };
  if (typeof system?.code === 'string' && FOLDER_CODES.has(system.code) && typeof system.message === 'string') {
    return new UsageError(
      `${database.name} "${database.value}" cannot be used as the SQLite database: ${system.message}`,
      { cause: error },
    );
  }
  return undefined;
}
