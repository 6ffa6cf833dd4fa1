import { describe, expect, it } from 'vitest';
import { extractFeatures } from './text-features.js';
import { allPassed, type CheckName, verifyMatch } from './verify-match.js';

const failed = (a: string, b: string): CheckName[] =>
  verifyMatch(a, b)
    .filter((check) => !check.passed)
    .map((check) => check.name);

describe('extractFeatures', () => {
  it('reads identifiers before numbers, so codes are not numbers', () => {
    const features = extractFeatures('Where is order ORD-1234? I run v2.3.1 and see bug #42 in config_loader.ts');
    expect(features.identifiers).toEqual(expect.arrayContaining(['ord-1234', '2.3.1', '#42', 'config_loader.ts']));
    expect(features.numbers).toEqual([]);
  });

  it('normalizes numbers written as digits, with separators, suffixes and words', () => {
    expect(extractFeatures('1,000 users, 5k requests, twenty files, 3rd place').numbers).toEqual([
      '5000',
      '1000',
      '3',
      '20',
    ]);
  });

  it('reads dates, weekdays, months, times and relative days', () => {
    const { dates } = extractFeatures('Book a table for tomorrow at 7pm, or next Friday, or 2026-03-04, or in May');
    expect(dates).toEqual(expect.arrayContaining(['tomorrow', '19:00', 'next friday', '2026-3-4', 'may']));
  });

  it('does not take the modal "may" for the month', () => {
    expect(extractFeatures('May I ask how this may work?').dates).toEqual([]);
  });

  it('finds names but not ordinary sentence openers', () => {
    expect(extractFeatures('What is the weather in Paris?').entities).toEqual(['paris']);
    expect(extractFeatures('Paris weather please').entities).toEqual(['paris']);
    expect(extractFeatures('Can you explain how DNS works?').entities).toEqual(['dns']);
  });
});

describe('verifyMatch', () => {
  it('passes a paraphrase with every check', () => {
    const checks = verifyMatch('What is the price of the Pro plan?', 'How much does the Pro plan cost?');
    expect(allPassed(checks)).toBe(true);
    expect(checks.map((c) => c.name)).toEqual([
      'numbers',
      'identifiers',
      'dates',
      'entities',
      'negation',
      'polarity',
      'direction',
      'roles',
      'alignment',
    ]);
  });

  it.each([
    ['numbers', 'Convert 5 miles to kilometers', 'Convert 50 miles to kilometers'],
    ['numbers', 'Give me three tips for sleep', 'Give me 5 tips for sleep'],
    ['identifiers', 'Where is my order ORD-1234?', 'Where is my order ORD-9876?'],
    ['identifiers', 'What changed in v2.3.1?', 'What changed in v2.4.0?'],
    ['identifiers', 'Summarize issue #42', 'Summarize issue #43'],
    ['dates', 'What is the weather tomorrow?', 'What is the weather today?'],
    ['dates', 'Is the office open on Monday?', 'Is the office open on Sunday?'],
    ['dates', 'Remind me at 3pm', 'Remind me at 5pm'],
    ['dates', 'Sales report for March', 'Sales report for April'],
    ['entities', 'What is the weather in Paris?', 'What is the weather in London?'],
    ['entities', 'How do I deploy to AWS?', 'How do I deploy to GCP?'],
    ['negation', 'Why is my printer not working?', 'Why is my printer working?'],
    ['negation', 'Recipes without eggs', 'Recipes with eggs'],
    ['polarity', 'How do I enable dark mode?', 'How do I disable dark mode?'],
    ['polarity', 'Is the course paid?', 'Is the course unpaid?'],
    ['polarity', 'What are the pros of remote work?', 'What are the cons of remote work?'],
    ['polarity', 'Should I buy Tesla stock now?', 'Should I sell Tesla stock now?'],
    ['polarity', 'How do I increase the font size?', 'How do I decrease the font size?'],
    ['polarity', 'What is the maximum file size?', 'What is the minimum file size?'],
    ['polarity', 'How do I cancel my subscription?', 'How do I renew my subscription?'],
    ['polarity', 'Stretches to do before running', 'Stretches to do after running'],
    ['roles', 'Did Germany beat Argentina in the final?', 'Did Argentina beat Germany in the final?'],
    ['alignment', 'Tell me a joke about cats', 'Tell me a joke about dogs'],
  ])('fails the %s check: "%s" vs "%s"', (check, a, b) => {
    expect(failed(a, b)).toContain(check);
    expect(failed(b, a)).toContain(check);
  });

  it('finds lowercase names through the lexicon', () => {
    const lexicon = { similarity: () => 0, isProperNoun: (word: string) => word === 'berlin' || word === 'munich' };
    const entities = verifyMatch('weather in berlin', 'weather in munich', { lexicon }).find(
      (c) => c.name === 'entities',
    )!;
    expect(entities.reason).toBe(
      'query names berlin that the candidate does not; candidate names munich that the query does not',
    );
  });

  it('explains a failure with the values', () => {
    const numbers = verifyMatch('Convert 5 miles', 'Convert 50 miles').find((c) => c.name === 'numbers')!;
    expect(numbers.reason).toBe('numbers differ: query has 5, candidate has 50');
  });

  it('agrees when both sides are negated in different words', () => {
    expect(failed("Why doesn't my laptop charge?", 'Why is my laptop not charging?')).toEqual([]);
  });

  it('lets the caller turn a check off', () => {
    const checks = verifyMatch('weather in Paris', 'weather in London', {
      checks: { entities: false, alignment: false },
    });
    expect(checks.map((c) => c.name)).not.toContain('entities');
    expect(checks.map((c) => c.name)).not.toContain('alignment');
    expect(allPassed(checks)).toBe(true);
  });
});
