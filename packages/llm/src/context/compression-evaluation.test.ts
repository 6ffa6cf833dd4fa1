import { describe, expect, it } from 'vitest';
import { tokenCounter } from '../tokens/token-counter.js';
import { evaluateCompression, readCompressionSet } from './compression-evaluation.js';

const counter = tokenCounter('gpt-4o');

const memo = [
  'The team met on Monday to review the migration of the billing database.',
  'The cut-over window is Saturday 14 June from 02:00 to 04:00 UTC.',
  'During the window the shop stays open but invoices are queued.',
  'The coffee machine on the third floor is broken again and a new one is ordered.',
  'Parking spaces will be repainted in July.',
  'The rollback plan restores the snapshot taken at 01:45 UTC.',
  'The summer party is planned for the last Friday of August.',
  'Visitors must sign in at the front desk and wear a badge.',
  'The canteen will serve a vegetarian menu every Wednesday.',
  'The printers on the second floor now need a badge to release jobs.',
].join(' ');

describe('evaluateCompression', () => {
  it('compresses each document toward its question and counts the key facts still there', async () => {
    const evaluation = await evaluateCompression(
      [
        {
          id: 'memo',
          text: memo,
          question: 'When is the billing database cut-over window?',
          keyFacts: ['Saturday 14 June', { pattern: '02:00 to 04:00 UTC' }, 'vegetarian menu every Wednesday'],
        },
      ],
      { keepRatio: 0.4 },
    );
    const [result] = evaluation.results;
    expect(result).toMatchObject({ id: 'memo', tokensBefore: counter.text(memo), keyFacts: 3 });
    expect(result!.tokensAfter).toBeGreaterThan(0);
    expect(result!.tokensAfter).toBeLessThanOrEqual(Math.floor(counter.text(memo) * 0.4));
    expect(result!.missing).toEqual(['vegetarian menu every Wednesday']);
    expect(evaluation).toMatchObject({
      cases: 1,
      keyFactsKept: 2 / 3,
      ratio: result!.tokensAfter / result!.tokensBefore,
    });
  });
});

describe('readCompressionSet', () => {
  it('reads the shipped set: at least 10 documents of 1,000 to 5,000 tokens, each with a question and facts it holds', () => {
    const cases = readCompressionSet(new URL('../../data/compression/', import.meta.url));
    expect(cases.length).toBeGreaterThanOrEqual(10);
    for (const item of cases) {
      expect(counter.text(item.text), item.id).toBeGreaterThanOrEqual(1_000);
      expect(counter.text(item.text), item.id).toBeLessThanOrEqual(5_000);
      expect(item.question.length).toBeGreaterThan(10);
      expect(item.keyFacts.length).toBeGreaterThan(0);
      for (const fact of item.keyFacts) {
        const found = typeof fact === 'string' ? item.text.includes(fact) : new RegExp(fact.pattern).test(item.text);
        expect(found, `${item.id}: ${JSON.stringify(fact)}`).toBe(true);
      }
    }
  });
});
