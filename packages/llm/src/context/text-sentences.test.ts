import { describe, expect, it } from 'vitest';
import { sentenceKey, splitSentences } from './text-sentences.js';

describe('splitSentences', () => {
  it('cuts lines and sentences so that they join back into the text', () => {
    const text = 'The deploy failed. Rollback started at 10:42!\n2026-01-04 ERROR disk full\n- item one\n\nLast line';
    const sentences = splitSentences(text);
    expect(sentences.join('')).toBe(text);
    expect(sentences.map((sentence) => sentence.trim()).filter(Boolean)).toEqual([
      'The deploy failed.',
      'Rollback started at 10:42!',
      '2026-01-04 ERROR disk full',
      '- item one',
      'Last line',
    ]);
    expect(splitSentences('')).toEqual([]);
  });

  it('compares sentences without case or spacing', () => {
    expect(sentenceKey('  The  API key\texpires. ')).toBe(sentenceKey('the api key expires.'));
  });
});
