import { describe, expect, it } from 'vitest';
import { noteSentences, withoutRepeatedSentences } from './repeated-sentences.js';

describe('withoutRepeatedSentences', () => {
  it('leaves out sentences said before, elsewhere or earlier in the same text, and notes the new ones', () => {
    const seen = new Set<string>();
    noteSentences('The API key expires after 90 days.', seen);
    const text = 'Keys are per project. The api key expires after  90 days. Keys are per project. Rotate them.';
    expect(withoutRepeatedSentences(text, seen)).toBe('Keys are per project. Rotate them.');
    expect(withoutRepeatedSentences('Keys are per project, and that is all.', seen)).toBeUndefined();
    expect(withoutRepeatedSentences('Keys are per project. Done.', seen)).toBe('Done.');
  });

  it('keeps short sentences however often they repeat', () => {
    const seen = new Set<string>();
    noteSentences('OK. Yes.', seen);
    expect(withoutRepeatedSentences('OK. Yes. OK.', seen)).toBeUndefined();
  });
});
