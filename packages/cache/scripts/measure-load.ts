/**
 * Measures how long the shipped data files take to load in a fresh process: the word vectors and the WordNet table.
 * `node --conditions=@baton/source --import tsx scripts/measure-load.ts`
 */
import { statSync } from 'node:fs';
import { defaultWordVectorsPath, loadWordVectors } from '../src/embedders/word-vectors.js';
import { defaultSynonymTablePath, loadSynonymTable } from '../src/verify/wordnet-table.js';

let started = performance.now();
await loadWordVectors(defaultWordVectorsPath());
const vectorsMs = performance.now() - started;
started = performance.now();
await loadSynonymTable();
const wordnetMs = performance.now() - started;
console.log(
  JSON.stringify({
    vectorsBytes: statSync(defaultWordVectorsPath()).size,
    vectorsMs: Math.round(vectorsMs),
    wordnetBytes: statSync(defaultSynonymTablePath()).size,
    wordnetMs: Math.round(wordnetMs),
  }),
);
