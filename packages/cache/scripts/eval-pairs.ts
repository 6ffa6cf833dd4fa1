/**
 * Prints the evaluation of a pairs file (default data/pairs.jsonl): totals and per-kind counts at a threshold, the
 * pairs judged wrongly, and precision/recall across a few thresholds.
 * `node --conditions=@baton/source --import tsx scripts/eval-pairs.ts [file] [threshold]`
 */
import { readFileSync } from 'node:fs';
import { withEmbeddingCache } from '../src/embedders/cached-embedder.js';
import { createSifEmbedder } from '../src/embedders/sif-embedder.js';
import { judgeScores, parsePairs, scorePairs } from '../src/eval/evaluate-pairs.js';
import { DEFAULT_SIMILARITY_THRESHOLD } from '../src/match/threshold.js';

const file = process.argv[2] ?? new URL('../data/pairs.jsonl', import.meta.url).pathname;
const pairs = parsePairs(readFileSync(file, 'utf8'));
const threshold = process.argv[3] ? Number(process.argv[3]) : DEFAULT_SIMILARITY_THRESHOLD;
const scores = await scorePairs(pairs, { embedder: withEmbeddingCache(createSifEmbedder()) });
const { errors, byKind, ...totals } = judgeScores(scores, threshold);
console.log(JSON.stringify(totals));
for (const [kind, confusion] of Object.entries(byKind)) console.log(kind.padEnd(12), JSON.stringify(confusion));
for (const error of errors) {
  const checks = error.failedChecks.join(' / ');
  console.log(
    `${error.hit ? 'MISS' : 'FALSE HIT'} [${error.kind}] ${error.similarity?.toFixed(3)} ${error.a} → ${error.b} :: ${checks}`,
  );
}
for (const t of [0.6, 0.7, 0.75, 0.8, 0.85, 0.9]) {
  const { precision, recall, falseHitRate, falsePositives } = judgeScores(scores, t);
  console.log(JSON.stringify({ threshold: t, precision, recall, falseHitRate, falsePositives }));
}
