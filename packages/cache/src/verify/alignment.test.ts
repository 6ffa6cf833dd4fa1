import { describe, expect, it } from 'vitest';
import { alignForms } from './alignment.js';
import { canonicalForm } from './canonical-form.js';
import type { WordKnowledge } from './token-match.js';

/** A dictionary that counts how often it is asked: the work the alignment does. */
function countingKnowledge() {
  const counter = { calls: 0 };
  const knowledge: WordKnowledge = {
    synonymsOf: () => {
      counter.calls++;
      return undefined;
    },
    knows: () => {
      counter.calls++;
      return true;
    },
  };
  return { counter, knowledge };
}

const paragraph = (words: number, swap?: number) =>
  Array.from({ length: words }, (_, i) => (i === swap ? 'teapot' : `kettles${i % 7 === 0 ? ',' : ''}`)).join(' ');

describe('alignForms on long prompts', () => {
  it('does work proportional to the length, not its square', () => {
    const work = (words: number) => {
      const { counter, knowledge } = countingKnowledge();
      const aligned = alignForms(
        canonicalForm(paragraph(words)),
        canonicalForm(paragraph(words).replace(/kettles/g, 'kettle')),
        knowledge,
      );
      expect(aligned.equivalent).toBe(true);
      return counter.calls;
    };
    const small = work(2_000);
    const large = work(8_000);
    expect(large).toBeLessThanOrEqual(small * 4 * 1.1);
  });

  it('refuses two long prompts that differ by one word, saying where', () => {
    const aligned = alignForms(canonicalForm(paragraph(20_000)), canonicalForm(paragraph(20_000, 12_345)));
    expect(aligned.equivalent).toBe(false);
    expect(aligned.difference).toEqual({ query: ['kettles'], candidate: ['teapot'] });
  });
});
