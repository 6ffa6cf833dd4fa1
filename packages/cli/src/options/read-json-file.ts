/** Reads a JSON file a command was given (a plan, a plan template): a missing or malformed one names the file. */
import { InputError } from '../input-error.js';
import { readTextFile } from './read-text-file.js';

/** The parsed JSON object in `path`; `what` names it in errors (`plan file`, `template file`). */
export async function readJsonObject(path: string, what: string): Promise<Record<string, unknown>> {
  const text = await readTextFile(path, what);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(path, `${what} "${path}" is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InputError(path, `${what} "${path}" must hold a JSON object`);
  }
  return parsed as Record<string, unknown>;
}
