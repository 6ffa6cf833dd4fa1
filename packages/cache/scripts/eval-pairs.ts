/** Prints the evaluation of data/pairs.jsonl at a threshold: `node --conditions=source --import tsx scripts/eval-pairs.ts [threshold]`. */
import { readFileSync } from 'node:fs';
import { withEmbeddingCache } from '../src/embedders/cached-embedder.js';
import { createSifEmbedder } from '../src/embedders/sif-embedder.js';
import { evaluatePairs, parsePairs } from '../src/eval/evaluate-pairs.js';

const pairs = parsePairs(readFileSync(new URL('../data/pairs.jsonl', import.meta.url), 'utf8'));
const threshold = process.argv[2] ? Number(process.argv[2]) : undefined;
const result = await evaluatePairs(pairs, { threshold, embedder: withEmbeddingCache(createSifEmbedder()) });
console.log(JSON.stringify({ ...result, errors: undefined }, null, 1));
for (const error of result.errors) console.log(JSON.stringify(error));
