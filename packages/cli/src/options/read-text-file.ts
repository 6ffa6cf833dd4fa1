/** Reading a file a command was given: what went wrong said in words, as an `InputError` naming the file. */
import { readFile } from 'node:fs/promises';
import { InputError } from '../input-error.js';

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
};

/** Why a file could not be read, for the refusals a user can mend; undefined for any other error. */
export function unreadableReason(error: unknown): string | undefined {
  return REASONS[(error as NodeJS.ErrnoException).code ?? ''];
}

/**
 * The text of `path`; `what` names it in errors (`plan file`, `pairs file`).
 *
 * @example
 * await readTextFile('plan.json', 'plan file'); // InputError: cannot read plan file "plan.json": no such file
 */
export async function readTextFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const why = unreadableReason(error) ?? (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new InputError(path, `cannot read ${what} "${path}": ${why}`, { cause: error });
  }
}
