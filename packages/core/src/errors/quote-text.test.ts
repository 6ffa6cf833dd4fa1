/** How messages quote and describe what the caller gave: short values whole, long ones cut. */
import { describe, expect, it } from 'vitest';
import { describeValue } from './describe-value.js';
import { clipText, quoteText } from './quote-text.js';

describe('quoteText', () => {
  it('quotes short text whole', () => {
    expect(quoteText('lookup')).toBe('"lookup"');
  });

  it('cuts long text around the position, marking what was left out', () => {
    const text = `${'a'.repeat(500)}HERE${'b'.repeat(500)}`;
    const quoted = quoteText(text, 500);
    expect(quoted).toContain('HERE');
    expect(quoted.startsWith('"…')).toBe(true);
    expect(quoted.endsWith('…"')).toBe(true);
    expect(quoted.length).toBeLessThanOrEqual(124);
    expect(quoteText('x'.repeat(10_000_000)).length).toBe(123);
  });
});

describe('clipText', () => {
  it('keeps short text and cuts long text to the limit', () => {
    expect(clipText('abc', 5)).toBe('abc');
    expect(clipText('abcdefgh', 5)).toBe('abcd…');
  });
});

describe('describeValue', () => {
  it('cuts a huge string without escaping all of it', () => {
    const text = describeValue('"'.repeat(10_000_000));
    expect(text.length).toBeLessThanOrEqual(80);
    expect(text.startsWith('"\\"')).toBe(true);
  });

  it('tells a value nested too deeply from one that contains itself', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(describeValue(deep)).toBe('an array nested too deeply to show');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).toBe('an object that contains itself');
  });
});
