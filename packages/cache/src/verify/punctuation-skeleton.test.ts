import { describe, expect, it } from 'vitest';
import { punctuationSkeleton } from './punctuation-skeleton.js';

describe('punctuationSkeleton', () => {
  it.each([
    ['Is this valid JSON? {"a": 1, "b": 2,}', '{"":#,"":#,}'],
    ['Evaluate (2 + 3) * 4', '(##)'],
    ["print('a', 'b')", "('','')"],
    ['Parse the CSV line: a,b,c', ':,,'],
    ['Is this SQL valid? SELECT * FROM t WHERE a = 1,', ','],
    ["What's wrong with this code: `for i in range(10): print(i)`", ':`():()`'],
    ['Does this C code compile: int x = 5;', ':;'],
  ])('keeps what code or data read in %j', (text, skeleton) => {
    expect(punctuationSkeleton(text)).toBe(skeleton);
  });

  it.each([
    ["Hi, what's the time?"],
    ['A woman, without her man, is nothing.'],
    ['hi, quick question: how do I export my contacts?'],
    ['What is 10% of 250? And 3.5 times 1,000?'],
    ['Is Washington D.C. a state?'],
  ])('has nothing for prose: %j', (text) => {
    expect(punctuationSkeleton(text)).toBe('');
  });

  it('leaves out the stops of the prose around code, the last ones, apostrophes and number separators', () => {
    expect(punctuationSkeleton("In Python, what's len([1, 2, 3])? I'd like to know.")).toBe('([#,#,#])');
    expect(punctuationSkeleton('what does `git reset --hard` do')).toBe(
      punctuationSkeleton('What does `git reset --hard` do?'),
    );
    expect(punctuationSkeleton('Is x = 1,000 or 1.5?')).toBe('');
  });

  it('tells single quotes from double quotes: JSON takes only one of them', () => {
    expect(punctuationSkeleton('Is {"a": 1} valid JSON?')).not.toBe(punctuationSkeleton("Is {'a': 1} valid JSON?"));
  });
});
