import { beforeAll, describe, expect, it } from 'vitest';
import { contentWords, stem, stripPleasantries } from './content-words.js';
import { createLexicon, type Lexicon, loadDefaultLexicon } from './lexicon.js';
import { allPassed, type CheckName, verifyMatch } from './verify-match.js';

let lexicon: Lexicon;
beforeAll(async () => {
  lexicon = await loadDefaultLexicon();
});

const failed = (a: string, b: string): CheckName[] =>
  verifyMatch(a, b, { lexicon })
    .filter((check) => !check.passed)
    .map((check) => check.name);

describe('content words', () => {
  it('drops greetings, thanks, please and question frames', () => {
    expect(stripPleasantries('Hi team! Could you please tell me how to reset my router? Thanks')).toBe(
      'how to reset my router?',
    );
    expect(contentWords('Hello, I was wondering what your opening hours are on weekends')).toEqual([
      'opening',
      'hours',
      'weekends',
    ]);
  });

  it('rewrites multi-word verbs and price questions into one word', () => {
    expect(contentWords('How do I turn on dark mode?')).toEqual(['enable', 'dark', 'mode']);
    expect(contentWords('How much does the basic plan cost?')).toEqual(['price', 'basic', 'plan', 'cost']);
  });

  it('stems inflections to one form', () => {
    expect(stem('closures')).toBe(stem('closure'));
    expect(stem('charging')).toBe(stem('charges'));
    expect(stem('simply')).toBe(stem('simple'));
  });
});

describe('content-word alignment', () => {
  it('refuses a swapped topic and names the unmatched words', () => {
    const alignment = verifyMatch('Write a poem about the ocean', 'Write a poem about the desert', { lexicon }).find(
      (check) => check.name === 'alignment',
    )!;
    expect(alignment.passed).toBe(false);
    expect(alignment.reason).toMatch(/"ocean" \(closest "desert" 0\.\d\d\)/);
    expect(alignment.reason).toMatch(/"desert"/);
  });

  it.each([
    ['Give me a recipe for chicken soup', 'Give me a recipe for tomato soup'],
    ['How do I clean a leather sofa?', 'How do I clean a fabric sofa?'],
    ['How do I report a bug?', 'How do I fix this bug?'],
    ['How many grams are in a cup of flour?', 'How many ounces are in a cup of flour?'],
    ['Can I bring my dog on the plane?', 'Can I bring my cat on the plane?'],
    ['how much is a coffee', 'how much is a tea'],
    ['how do I learn to play guitar', 'how do I learn to play piano'],
    ['who is the ceo of google', 'who is the ceo of microsoft'],
  ])('refuses "%s" vs "%s"', (a, b) => {
    expect(failed(a, b)).toContain('alignment');
  });

  it.each([
    ['What is the cheapest flight to Rome?', 'What is the least expensive flight to Rome?'],
    ['How do I fix my bike chain?', 'How can I repair my bike chain?'],
    ['Is the parcel insured?', 'Is the package insured?'],
    ['How do I enable two-factor authentication?', 'How can I turn on two-factor authentication?'],
    ['How do I cancel my free trial?', "Hi team, I'd like to know how to cancel my free trial please"],
  ])('passes every check for the paraphrase "%s" / "%s"', (a, b) => {
    expect(failed(a, b)).toEqual([]);
  });

  it('without word vectors, accepts stems and listed synonyms only', () => {
    const stemsOnly = createLexicon();
    const check = (a: string, b: string) =>
      allPassed(verifyMatch(a, b, { lexicon: stemsOnly }).filter((c) => c.name === 'alignment'));
    expect(check('How much does the premium plan cost?', 'What is the price of the premium plan?')).toBe(true);
    expect(check('What are the symptoms of the flu?', 'What symptoms does the flu cause?')).toBe(false);
    expect(stemsOnly.similarity('ocean', 'sea')).toBe(0);
  });

  it('refuses a word-vector neighbour that is no synonym, however close', () => {
    expect(lexicon.similarity('cat', 'dog')).toBeGreaterThan(0.75);
    expect(lexicon.similarity('cat', 'dog')).toBeLessThan(1);
    expect(failed('Tell me a joke about cats', 'Tell me a joke about dogs')).toEqual(['alignment']);
  });

  it('reads the bound: a lower bound accepts what the default refuses', () => {
    const a = 'What are the benefits of meditation?';
    const b = 'What are the perks of meditation?';
    const passes = (alignmentBound: number) =>
      verifyMatch(a, b, { lexicon, alignmentBound }).find((c) => c.name === 'alignment')!.passed;
    expect(lexicon.similarity('benefits', 'perks')).toBeLessThan(0.75);
    expect(passes(0.75)).toBe(false);
    expect(passes(0.1)).toBe(true);
  });
});
