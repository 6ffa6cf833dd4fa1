/**
 * What commands read when they run: the embedder an option names and a labelled pairs file. Loaded only by the
 * commands that need it, since it brings the cache and its embedders.
 */
import { type Embedder, InvalidPairsError, type LabelledPair, ModelNotFoundError, parsePairs } from '@baton/cache';
import { resolveEmbedder } from '@baton/llm';
import { InputError } from '../input-error.js';
import { UsageError } from '../usage-error.js';
import { readTextFile } from './read-text-file.js';

/** The embedder `--embedder` names: a malformed name is a usage mistake (exit 2), a model that cannot load input (3). */
export function embedderNamed(name: string): Embedder {
  try {
    return resolveEmbedder(name, { path: '--embedder' });
  } catch (error) {
    if (ModelNotFoundError.isInstance(error)) throw new InputError(name, (error as Error).message, { cause: error });
    throw new UsageError((error as Error).message, { cause: error });
  }
}

/** Reads a JSON Lines file of labelled pairs; a missing file or a bad line names the file and the line number. */
export async function readPairs(path: string): Promise<LabelledPair[]> {
  const text = await readTextFile(path, 'pairs file');
  try {
    const pairs = parsePairs(text);
    if (pairs.length === 0) throw new InputError(path, `pairs file "${path}" holds no pairs`);
    return pairs;
  } catch (error) {
    if (InvalidPairsError.isInstance(error)) throw new InputError(path, `${path}: ${error.message}`, { cause: error });
    throw error;
  }
}
