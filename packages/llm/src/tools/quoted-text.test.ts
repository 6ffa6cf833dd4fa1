import { describe, expect, it } from 'vitest';
import { withoutQuotations } from './quoted-text.js';

describe('withoutQuotations', () => {
  it('leaves out double, typographic and single-quoted text', () => {
    expect(withoutQuotations('How do you say "where is the train station" in Japanese?')).toBe(
      'How do you say in Japanese?',
    );
    expect(withoutQuotations('post “deploy done” in #engineering')).toBe('post in #engineering');
    expect(withoutQuotations("add 'call the bank' to my list of chores")).toBe('add to my list of chores');
  });

  it('keeps apostrophes, which quote nothing', () => {
    expect(withoutQuotations("don't send the users' passwords")).toBeUndefined();
  });

  it('gives nothing when the request quotes nothing or little is left besides the quotation', () => {
    expect(withoutQuotations('translate good morning into Polish')).toBeUndefined();
    expect(withoutQuotations('translate "good morning"')).toBeUndefined();
    expect(withoutQuotations('"just a quotation"')).toBeUndefined();
  });
});
