/**
 * Prints the evaluation of data/pairs.jsonl: totals and per-kind counts at a threshold, the pairs judged wrongly,
 * and precision/recall across a few thresholds. `node --conditions=@baton/source --import tsx scripts/eval-pairs.ts [threshold]`
 */
import { readFileSync } from 'node:fs';
import { withEmbeddingCache } from '../src/embedders/cached-embedder.js';
import { createSifEmbedder } from '../src/embedders/sif-embedder.js';
import { judgeScores, parsePairs, scorePairs } from '../src/eval/evaluate-pairs.js';

const pairs = parsePairs(readFileSync(new URL('../data/pairs.jsonl', import.meta.url), 'utf8'));
const threshold = process.argv[2] ? Number(process.argv[2]) : 0.8;
const scores = await scorePairs(pairs, { embedder: withEmbeddingCache(createSifEmbedder()) });
const { errors, byKind, ...totals } = judgeScores(scores, threshold);
console.log(JSON.stringify(totals));
for (const [kind, confusion] of Object.entries(byKind)) console.log(kind.padEnd(12), JSON.stringify(confusion));
for (const error of errors) console.log(JSON.stringify(error));
for (const t of [0.7, 0.75, 0.8, 0.85, 0.9]) {
  const { precision, recall, falseHitRate, falsePositives } = judgeScores(scores, t);
  console.log(JSON.stringify({ threshold: t, precision, recall, falseHitRate, falsePositives }));
}
