/** Parsers for option values, used as commander's argument parsers: a bad value is a `UsageError` naming the option. */

import { readFile } from 'node:fs/promises';
import { type Embedder, InvalidPairsError, type LabelledPair, parsePairs } from '@baton/cache';
import { resolveEmbedder } from '@baton/llm';
import { UsageError } from '../usage-error.js';

/** A number in (0, 1], e.g. a similarity threshold or a target precision. */
export function unitInterval(option: string) {
  return (value: string): number => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number) || number <= 0 || number > 1) {
      throw new UsageError(`${option} must be a number in (0, 1], got "${value}"`);
    }
    return number;
  };
}

export function embedderNamed(name: string): Embedder {
  try {
    return resolveEmbedder(name, { path: '--embedder' });
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
}

/** Reads a JSON Lines file of labelled pairs; a missing file or a bad line names the file and the line number. */
export async function readPairs(path: string): Promise<LabelledPair[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read pairs file "${path}": ${code === 'ENOENT' ? 'no such file' : code}`, {
      cause: error,
    });
  }
  try {
    const pairs = parsePairs(text);
    if (pairs.length === 0) throw new UsageError(`pairs file "${path}" holds no pairs`);
    return pairs;
  } catch (error) {
    if (InvalidPairsError.isInstance(error)) throw new UsageError(`${path}: ${error.message}`, { cause: error });
    throw error;
  }
}
