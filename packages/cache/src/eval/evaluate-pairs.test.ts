import { describe, expect, it } from 'vitest';
import { withEmbeddingCache } from '../embedders/cached-embedder.js';
import { createSifEmbedder } from '../embedders/sif-embedder.js';
import { calibrateThreshold, evaluatePairs, parsePairs } from './evaluate-pairs.js';

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

  it('calibrates the lowest threshold that reaches the target precision', async () => {
    const calibrated = await calibrateThreshold(pairs.slice(0, 4), 0.99, { embedder });
    expect(calibrated).toMatchObject({ threshold: 0.5, precision: 1, recall: 1 });
  });
});
