/** Loads a store's module, whose database driver is an optional peer dependency, naming the driver if it is missing. */
import { MissingDependencyError } from '../errors/missing-dependency-error.js';

const FEATURES: Record<string, string> = {
  'better-sqlite3': 'the SQLite store (openStore with a file path, the default)',
  pg: 'the PostgreSQL store (openStore with a postgres:// URL)',
};

export async function loadDriver<T>(driver: 'better-sqlite3' | 'pg', load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (MissingDependencyError.isNotFound(error, driver)) {
      throw new MissingDependencyError(driver, FEATURES[driver]!, { cause: error });
    }
    throw error;
  }
}
