import { ValidationError } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { withEmbeddingCache } from '../embedders/cached-embedder.js';
import { createSifEmbedder } from '../embedders/sif-embedder.js';
import type { CacheRequest } from '../match/request.js';
import { SemanticCache } from '../semantic-cache.js';
import { formatContext, type RelatedAnswer, resolveRelatedOptions } from './related-context.js';

const embedder = withEmbeddingCache(createSifEmbedder());
const ask = (text: string, tenant = 'a'): CacheRequest => ({
  model: 'gpt-x',
  messages: [{ role: 'user', content: text }],
  scope: { tenant },
});
const answer = (text: string) => ({ finishReason: 'stop', text });

async function filledCache(options: ConstructorParameters<typeof SemanticCache>[0] = {}) {
  const cache = new SemanticCache({ embedder, ...options });
  await cache.store(ask('How do I reset my router?'), answer('Hold the reset button for 10 seconds.'));
  await cache.store(ask('How do I update the router firmware?'), answer('Open the admin page, then Update.'));
  await cache.store(ask('Best pizza dough recipe'), answer('Flour, water, salt, yeast.'));
  await cache.store(ask('How do I reset my router?', 'b'), answer('Tenant b answer.'));
  return cache;
}

describe('SemanticCache.related', () => {
  it('returns related answers from the same scope, most similar first, above the minimum similarity', async () => {
    const cache = await filledCache();
    const related = await cache.related(ask('How do I restart my router?'), { topK: 5, minSimilarity: 0.5 });
    expect(related.map((r) => r.answer)).toEqual([
      'Hold the reset button for 10 seconds.',
      'Open the admin page, then Update.',
    ]);
    expect(related[0]!.similarity).toBeGreaterThanOrEqual(related[1]!.similarity);
    expect(related.every((r) => r.similarity >= 0.5)).toBe(true);
  });

  it('never returns answers from another scope', async () => {
    const cache = await filledCache();
    const inB = await cache.related(ask('How do I restart my router?', 'b'), { topK: 5, minSimilarity: 0.1 });
    expect(inB.map((r) => r.answer)).toEqual(['Tenant b answer.']);
    expect(await cache.related(ask('How do I restart my router?', 'c'), { minSimilarity: 0.1 })).toEqual([]);
  });

  it('reads topK and minSimilarity', async () => {
    const cache = await filledCache();
    expect(await cache.related(ask('How do I restart my router?'), { topK: 1, minSimilarity: 0.1 })).toHaveLength(1);
    expect(await cache.related(ask('How do I restart my router?'), { minSimilarity: 0.999 })).toEqual([]);
    await expect(cache.related(ask('x'), { topK: 0 })).rejects.toThrow(ValidationError);
    await expect(cache.related(ask('x'), { minSimilarity: 2 })).rejects.toThrow(/minSimilarity/);
  });

  it('attaches related answers to a miss only when context injection is enabled', async () => {
    const off = await filledCache();
    const missOff = await off.lookup(ask('Why does my router keep dropping the connection?'));
    expect(missOff).toMatchObject({ status: 'miss' });
    expect(missOff).not.toHaveProperty('related');

    const on = await filledCache({ contextInjection: { enabled: true, topK: 2, minSimilarity: 0.4 } });
    const missOn = await on.lookup(ask('Why does my router keep dropping the connection?'));
    if (missOn.status !== 'miss') throw new Error(`expected a miss, got ${missOn.status}`);
    expect(missOn.related!.length).toBeGreaterThan(0);
    expect(missOn.related!.length).toBeLessThanOrEqual(2);
    expect(missOn.related!.map((r) => r.answer)).not.toContain('Tenant b answer.');
    expect(missOn.related!.map((r) => r.answer)).not.toContain('Flour, water, salt, yeast.');
  });

  it('refuses invalid context injection options when the cache is built', () => {
    expect(() => new SemanticCache({ embedder, contextInjection: { enabled: true, topK: -1 } })).toThrow(/topK/);
  });
});

describe('formatContext', () => {
  const related: RelatedAnswer[] = [
    { entryId: '1', question: 'How do I reset my router?', answer: 'Hold reset for $10 s.', similarity: 0.8123 },
    { entryId: '2', question: 'How do I update firmware?', answer: 'Use the admin page.', similarity: 0.7 },
  ];

  it('formats with the default template', () => {
    expect(formatContext(related)).toBe(
      'Answers to related earlier questions (use them only if they apply):\n' +
        'Q: How do I reset my router?\nA: Hold reset for $10 s.\n\n' +
        'Q: How do I update firmware?\nA: Use the admin page.',
    );
  });

  it('formats with a custom template and gives nothing for no answers', () => {
    expect(formatContext(related, { header: '', item: '- {answer} ({similarity})', separator: '\n' })).toBe(
      '- Hold reset for $10 s. (0.81)\n- Use the admin page. (0.70)',
    );
    expect(formatContext([])).toBe('');
  });

  it('refuses an unknown placeholder, naming it', () => {
    expect(() => formatContext(related, { item: '{question}: {reply}' })).toThrow(/unknown placeholder \{reply\}/);
  });
});

it('names both bad related-answer options at once', () => {
  let thrown: unknown;
  try {
    resolveRelatedOptions({ topK: 0, minSimilarity: 3 });
  } catch (error) {
    thrown = error;
  }
  expect(ValidationError.isInstance(thrown)).toBe(true);
  expect((thrown as ValidationError).problems.map((p) => p.path)).toEqual(['topK', 'minSimilarity']);
});
