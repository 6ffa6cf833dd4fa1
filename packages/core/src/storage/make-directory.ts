/**
 * `mkdir -p` one level at a time. Node 20's `mkdirSync(path, { recursive: true })` never returns for a path under a
 * filesystem that refuses new entries with ENOENT (`/proc/nope/baton.db`): it spins, blocking the event loop. Here
 * each missing level is made on its own, so such a path fails at once with the system's error.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Whether `path` exists: a directory (true), nothing (false); anything else in the way throws mkdir's own error. */
function isDirectory(path: string): boolean {
  try {
    if (statSync(path).isDirectory()) return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  mkdirSync(path);
  return true;
}

export function makeDirectory(path: string): void {
  const missing: string[] = [];
  for (let at = resolve(path); !isDirectory(at); at = dirname(at)) {
    missing.push(at);
    if (dirname(at) === at) break;
  }
  for (const directory of missing.reverse()) {
    try {
      mkdirSync(directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
