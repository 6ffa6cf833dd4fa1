import { describe, expect, it } from 'vitest';
import { withEmbeddingCache } from '../embedders/cached-embedder.js';
import type { Embedder } from '../embedders/embedder.js';
import { createSifEmbedder } from '../embedders/sif-embedder.js';
import { InvalidPairsError } from '../errors.js';
import { evaluatePairs, judgeScores, parsePairs, scorePairs } from './evaluate-pairs.js';
import { calibrateThreshold } from './threshold-sweep.js';

const embedder = withEmbeddingCache(createSifEmbedder());
const pairs = parsePairs(
  [
    '{"a":"How much does the premium plan cost?","b":"What is the price of the premium plan?","hit":true,"kind":"synonym"}',
    '{"a":"How do I fix my bike chain?","b":"How do I repair my bike chain?","hit":true,"kind":"synonym"}',
    '',
    '{"a":"What is the weather in Paris today?","b":"What is the weather in London today?","hit":false,"kind":"entity"}',
    '{"a":"How do I enable dark mode?","b":"How do I disable dark mode?","hit":false,"kind":"polarity"}',
    '{"a":"How tall is Mount Everest?","b":"Best pizza dough recipe","hit":true,"kind":"mislabelled"}',
  ].join('\n'),
);

/** Counts the texts an embedder is asked for. */
function counting(inner: Embedder): Embedder & { texts: string[] } {
  const texts: string[] = [];
  return {
    id: inner.id,
    dimension: inner.dimension,
    texts,
    embed: (batch) => {
      texts.push(...batch);
      return inner.embed(batch);
    },
  };
}

describe('evaluatePairs', () => {
  it('counts the confusion matrix through the full matching path, per kind', async () => {
    const result = await evaluatePairs(pairs, { embedder, threshold: 0.8 });
    expect(result).toMatchObject({
      pairs: 5,
      truePositives: 2,
      falsePositives: 0,
      trueNegatives: 2,
      falseNegatives: 1,
    });
    expect(result.precision).toBe(1);
    expect(result.recall).toBeCloseTo(2 / 3, 5);
    expect(result.falseHitRate).toBe(0);
    expect(result.byKind.entity).toMatchObject({ pairs: 1, trueNegatives: 1 });
    expect(result.errors.map((e) => e.kind)).toEqual(['mislabelled']);
  });

  it('judges scores at any threshold the same way a cache with that threshold would', async () => {
    const scores = await scorePairs(pairs, { embedder });
    for (const threshold of [0.5, 0.8, 0.95]) {
      const direct = await evaluatePairs(pairs, { embedder, threshold });
      expect(judgeScores(scores, threshold)).toEqual(direct);
    }
  });

  it('reports why a wrongly refused pair was refused', async () => {
    const [pair] = parsePairs('{"a":"Write a poem about the ocean","b":"Write a poem about the desert","hit":true}');
    const result = await evaluatePairs([pair!], { embedder });
    expect(result.errors[0]!.failedChecks.join(' ')).toMatch(/"desert"/);
  });
});

describe('calibrateThreshold', () => {
  it('finds the lowest threshold that reaches the target precision', async () => {
    const scores = await scorePairs(pairs.slice(0, 4), { embedder });
    const calibrated = await calibrateThreshold(pairs.slice(0, 4), 0.99, { embedder });
    expect(calibrated).toMatchObject({ precision: 1, recall: 1 });
    // The lowest similarity of a correct, verified candidate: any higher threshold would lose that hit.
    const lowestHit = Math.min(
      ...scores.filter((s) => s.pair.hit && !s.exact && s.failedChecks.length === 0).map((s) => s.similarity!),
    );
    expect(calibrated!.threshold).toBe(lowestHit);
  });

  it('embeds each text once however many thresholds it sweeps', async () => {
    const recorder = counting(createSifEmbedder());
    await calibrateThreshold(pairs, 0.99, { embedder: recorder });
    const texts = new Set(pairs.flatMap((pair) => [pair.a, pair.b]));
    expect(recorder.texts.length).toBeLessThanOrEqual(texts.size);
  });

  it('returns undefined when no threshold reaches the target', async () => {
    const mislabelled = parsePairs(
      '{"a":"How do I fix my bike chain?","b":"How do I repair my bike chain?","hit":false}',
    );
    expect(await calibrateThreshold(mislabelled, 0.99, { embedder })).toBeUndefined();
  });
});

describe('parsePairs', () => {
  it.each([
    ['{"a":"x","b":"y","hit":true}\nnot json', 2, /not valid JSON/],
    ['{"a":"x","hit":true}', 1, /"a" and "b" must be strings/],
    ['{"a":"x","b":"y","hit":"yes"}', 1, /"hit" must be true or false, got "yes"/],
    ['\n\n[1]', 3, /"a" and "b"/],
  ])('names the bad line in %j', (text, line, message) => {
    try {
      parsePairs(text);
      expect.unreachable('parsePairs should throw');
    } catch (error) {
      expect(InvalidPairsError.isInstance(error)).toBe(true);
      expect((error as InvalidPairsError).line).toBe(line);
      expect((error as Error).message).toMatch(message);
    }
  });
});
