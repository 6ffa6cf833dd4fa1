/**
 * For tests: makes `process.cwd()` — what the default cache file `.baton/cache.db` resolves against — a fresh
 * temporary folder, so tests that use the default SQLite store leave nothing in the repository and never see answers
 * cached by an earlier run. `process.chdir` is not used: it is refused in worker threads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TemporaryWorkingDirectory {
  /** The folder while entered. */
  readonly path: string;
  enter(): void;
  /** Restores the working directory and deletes the folder. */
  leave(): void;
}

/**
 * @example
 * const directory = temporaryWorkingDirectory();
 * beforeAll(directory.enter);
 * afterAll(directory.leave);
 */
export function temporaryWorkingDirectory(): TemporaryWorkingDirectory {
  const original = process.cwd;
  let path = '';
  return {
    get path() {
      return path;
    },
    enter() {
      path = mkdtempSync(join(tmpdir(), 'baton-cwd-'));
      process.cwd = () => path;
    },
    leave() {
      process.cwd = original;
      rmSync(path, { recursive: true, force: true });
    },
  };
}
