/**
 * The quality bar: on each shipped set of labelled pairs, with the default embedder and the default threshold,
 * precision ≥ 0.99 through the full matching path (tiers and verification), and recall ≥ 0.75, the target, or higher
 * where a set stands higher today. A hit must be shown equivalent token by token, so free paraphrases ("when is the
 * store open" / "what are the opening hours") still miss.
 * `pairs-holdout.jsonl` was written before verification was tuned against it and is kept that way: near-misses
 * (cats/dogs, berlin/munich, who beat whom) and paraphrases from domains the first set does not cover.
 * `pairs-adversarial.jsonl` was written apart from the matcher, one kind per mechanism (quantifiers, prepositions,
 * tense, symbols, case codes, scripts, emoji, stemming, and the equivalent forms a hit must survive).
 * `pairs-blind.jsonl` was written by someone who had seen neither the matcher nor the other sets: look-alikes that must
 * not share an answer (a number, a date, a direction, a swap, one character of code or JSON) and paraphrases.
 * `pairs-blind-2.jsonl` was written the same way later, 60% look-alikes: it found quoted words folded into their
 * spelling, plural or synonym ('colour'/'color', 'mouse'/'mice'), an abbreviation asked about (NYC / New York City),
 * a number's place in a slice (`a[1:]`/`a[:1]`) and a name read as the common word it also is ("Polish"/"polish"),
 * which the quoted, punctuation and names checks now refuse.
 * `pairs-blind-3.jsonl`, written the same way, 60% look-alikes in twelve kinds: two false hits, an acronym's S read
 * as a plural (HTTP to HTTPS / HTTPS to HTTP) and a measure taken for its WordNet synonym (median / average), now
 * refused. Its paraphrases are freer than the other sets' (sci-fi / science fiction, 1/4 / 0.25, Postgres /
 * PostgreSQL): recall on it is low, and the floor below records where it stands, not where it should be.
 * `pairs-blind-4.jsonl`, written the same way, 65% look-alikes: ten false hits, all a difference of case the
 * matcher folded — a regular expression's escape (`\d+` / `\D+`), a character class (`[a-z]` / `[A-Z]`), a unit in
 * mixed case (Mbps / MBps), one capital letter (vim's `x` / `X`) — now refused. Its recall is low for the same reason
 * as the third set's.
 * `pairs-blind-5.jsonl`, written the same way on 7 December, half look-alikes in 24 kinds (a changed number, unit,
 * date, currency, time zone, version, language, library, OS, entity, negation, direction, roles, quantifier, scope,
 * format, length, audience, code, task, tense, symbol, constraint, one clause of a long prompt): no false hit when it
 * arrived. Its positives reword more freely still (long prompts retold sentence by sentence), so recall is low.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withEmbeddingCache } from '../embedders/cached-embedder.js';
import { createSifEmbedder } from '../embedders/sif-embedder.js';
import { SemanticCache } from '../semantic-cache.js';
import { evaluatePairs, parsePairs } from './evaluate-pairs.js';

const readPairs = (name: string) => parsePairs(readFileSync(new URL(`../../data/${name}`, import.meta.url), 'utf8'));

describe.each([
  { file: 'pairs.jsonl', minimum: 300, recall: 0.75 },
  { file: 'pairs-holdout.jsonl', minimum: 150, recall: 0.83 },
  { file: 'pairs-adversarial.jsonl', minimum: 650, recall: 0.82 },
  { file: 'pairs-blind.jsonl', minimum: 180, recall: 0.57 },
  { file: 'pairs-blind-2.jsonl', minimum: 360, recall: 0.78, leastHitShare: 0.35 },
  { file: 'pairs-blind-3.jsonl', minimum: 380, recall: 0.13, leastHitShare: 0.35 },
  { file: 'pairs-blind-4.jsonl', minimum: 430, recall: 0.31, leastHitShare: 0.35 },
  { file: 'pairs-blind-5.jsonl', minimum: 400, recall: 0.39 },
])('matching quality on data/$file', ({ file, minimum, recall, leastHitShare = 0.4 }) => {
  const pairs = readPairs(file);

  it(`ships at least ${minimum} labelled pairs, roughly balanced, every one with a kind`, () => {
    expect(pairs.length).toBeGreaterThanOrEqual(minimum);
    const hits = pairs.filter((pair) => pair.hit).length;
    expect(hits / pairs.length).toBeGreaterThan(leastHitShare);
    expect(hits / pairs.length).toBeLessThan(0.6);
    expect(pairs.every((pair) => typeof pair.kind === 'string')).toBe(true);
  });

  it(`reaches precision ≥ 0.99 and recall ≥ ${recall} at the default threshold with the default embedder`, async () => {
    const threshold = new SemanticCache().similarityThreshold;
    const result = await evaluatePairs(pairs, { embedder: withEmbeddingCache(createSifEmbedder()), threshold });
    const falseHits = result.errors.filter((error) => !error.hit).map((error) => `${error.a} → ${error.b}`);
    expect(result.precision, `false hits: ${falseHits.join(' | ')}`).toBeGreaterThanOrEqual(0.99);
    expect(result.recall).toBeGreaterThanOrEqual(recall);
  });
});

it('keeps the two sets apart: no holdout pair repeats a pair of the first set', () => {
  const key = (pair: { a: string; b: string }) => `${pair.a.toLowerCase()}\n${pair.b.toLowerCase()}`;
  const first = new Set(readPairs('pairs.jsonl').map(key));
  expect(readPairs('pairs-holdout.jsonl').filter((pair) => first.has(key(pair)))).toEqual([]);
});

/**
 * `lookalikes-order.jsonl`: 164 prompts written blind against the rules that let parts trade places or words stand for
 * each other — a scene moved past a clause of its own, a question moved in a prompt that points at its own parts, the
 * sides of "X or Y" that "the first" then names, abbreviations with another sense (lb, SWE) — every one needing
 * another answer than its pair. It found 24 false hits; none may come back.
 */
it('serves none of the blind look-alikes of order and abbreviations', async () => {
  const pairs = readPairs('lookalikes-order.jsonl');
  expect(pairs.length).toBeGreaterThanOrEqual(160);
  expect(pairs.every((pair) => !pair.hit)).toBe(true);
  const threshold = new SemanticCache().similarityThreshold;
  const result = await evaluatePairs(pairs, { embedder: withEmbeddingCache(createSifEmbedder()), threshold });
  const falseHits = result.errors.filter((error) => !error.hit).map((error) => `${error.a} → ${error.b}`);
  expect(falseHits).toEqual([]);
});
