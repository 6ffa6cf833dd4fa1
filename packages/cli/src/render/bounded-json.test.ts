import { describe, expect, it } from 'vitest';
import { boundedJson } from './bounded-json.js';

describe('boundedJson', () => {
  it('shows a small value whole, as pretty JSON', () => {
    expect(boundedJson({ a: [1, 2], b: 'ok' })).toEqual({
      text: JSON.stringify({ a: [1, 2], b: 'ok' }, null, 2),
      shortened: false,
    });
  });

  it('cuts long strings, long arrays and wide objects, saying how much was left out', () => {
    const value = {
      text: 'x'.repeat(1000),
      list: Array.from({ length: 25 }, (_, i) => i),
      wide: Object.fromEntries(Array.from({ length: 52 }, (_, i) => [`k${i}`, i])),
    };
    const { text, shortened } = boundedJson(value);
    expect(shortened).toBe(true);
    const shown = JSON.parse(text);
    expect(shown.text).toBe(`${'x'.repeat(200)}… (1000 characters)`);
    expect(shown.list).toEqual([...Array.from({ length: 20 }, (_, i) => i), '… 5 more items']);
    expect(Object.keys(shown.wide)).toHaveLength(51);
    expect(shown.wide['…']).toBe('2 more keys');
  });

  it('keeps a 10 MB result to a few hundred characters', () => {
    const { text } = boundedJson({ weather: { city: 'a'.repeat(10 * 1024 * 1024), celsius: 29 } });
    expect(text.length).toBeLessThan(400);
    expect(text).toContain('(10485760 characters)');
  });
});
