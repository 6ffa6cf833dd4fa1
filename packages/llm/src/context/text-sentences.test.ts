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

  it('cuts a line of many kilobytes as the segmenter cuts it whole, joining back into the line', () => {
    const sentences = Array.from({ length: 600 }, (_, i) => `Record ${i} says alpha met golf on day ${i % 30}. `);
    const line = sentences.join('');
    expect(line.length).toBeGreaterThan(3 * 4096);
    expect(splitSentences(line)).toEqual(sentences);
  });

  it('cuts a sentence longer than a window at a space, or anywhere but inside a surrogate pair', () => {
    const words = `${'word '.repeat(3000)}end.`;
    const cut = splitSentences(words);
    expect(cut.join('')).toBe(words);
    expect(cut.length).toBeGreaterThan(1);
    expect(cut.slice(0, -1).every((part) => part.endsWith(' '))).toBe(true);
    const emoji = '😀'.repeat(5000);
    const pieces = splitSentences(emoji);
    expect(pieces.join('')).toBe(emoji);
    expect(pieces.every((piece) => !/[\uD800-\uDBFF]$/.test(piece))).toBe(true);
  });

  it('cuts a long run of lower-case sentences, which the segmenter keeps together, after each full stop', () => {
    const sentences = Array.from({ length: 40 }, (_, i) => `fact ${i}: the store in city ${i} ships ${i}.5 parcels. `);
    const line = sentences.join('');
    expect(splitSentences(line)).toEqual(sentences);
    // A short one stays as the segmenter cut it, abbreviations and all.
    expect(splitSentences('See e.g. the docs. It works.')).toEqual(['See e.g. the docs. ', 'It works.']);
  });

  it('compares sentences without case or spacing', () => {
    expect(sentenceKey('  The  API key\texpires. ')).toBe(sentenceKey('the api key expires.'));
  });
});
