import { describe, expect, it } from 'vitest';
import { compoundWords } from './request-compounds.js';
import { searchTerms, splitWords } from './search-terms.js';

const compounds = (text: string) => compoundWords(splitWords(text), searchTerms(text));

describe('compoundWords', () => {
  it('joins neighbouring words, so a word written apart or hyphenated meets the one-word form', () => {
    expect(compounds('add it to my to-do list')).toContain('todo');
    expect(compounds('pull up my pay stub')).toContain('paystub');
    expect(compounds('send an e-mail to Jo')).toContain('email');
    expect(compounds('page whoever is on call')).toContain('oncall');
  });

  it('reads "not" and the word after it as the word with un-', () => {
    expect(compounds('files I changed but have not committed')).toContain('uncommitted');
  });

  it('leaves out pairs with a digit, pairs shorter than four letters and pairs the request already says', () => {
    expect(compounds('upgrade to v2 now')).toEqual(['upgradeto']);
    expect(compounds('in to')).toEqual([]);
    // `email` is the request's own word, so `e mail` joined adds nothing.
    expect(compounds('email e mail')).not.toContain('email');
    expect(compounds('')).toEqual([]);
  });
});
