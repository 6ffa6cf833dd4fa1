import { describe, expect, it } from 'vitest';
import { type CountedMessage, tokenCounter } from '../tokens/token-counter.js';
import { cachedTokenCounter, TokenCountCache, withCountCache } from './cached-token-counter.js';

const messages: CountedMessage[] = [
  { role: 'user', content: 'What is the weather in Porto?' },
  { role: 'assistant', content: '' },
  { role: 'tool', content: '{"tempC":21}', name: 'call-1' },
  { role: 'system', content: 'Forecast: ☂️ later — 21°C.' },
];

describe('withCountCache', () => {
  it.each(['gpt-4o', 'gpt-4', 'claude-sonnet-4'])('counts as the counter it wraps (%s)', (model) => {
    const counter = tokenCounter(model);
    const cached = withCountCache(counter, new TokenCountCache());
    for (const message of [...messages, ...messages]) {
      expect(cached.message(message)).toBe(counter.message(message));
      expect(cached.text(message.content)).toBe(counter.text(message.content));
    }
    const tools = [{ name: 'weather', description: 'Current weather', parameters: { type: 'object' } }];
    expect(cached.tools(tools)).toBe(counter.tools(tools));
    expect(cached.requestOverhead).toBe(counter.requestOverhead);
    expect(cached.exact).toBe(counter.exact);
  });

  it('asks the counter once per text it remembers, and forgets what a whole generation did not use', () => {
    const counter = tokenCounter('gpt-4o');
    const asked: string[] = [];
    const cached = withCountCache(
      {
        ...counter,
        text: (text) => {
          asked.push(text);
          return counter.text(text);
        },
      },
      new TokenCountCache(4),
    );
    for (const text of ['one', 'two', 'one', 'three', 'two', 'four', 'five', 'one', 'three']) cached.text(text);
    // Generations of two: [one, two] → [three, two] (two brought back) → [four, five] → 'one' and 'three' are gone.
    expect(asked.filter((text) => !['', 'a'].includes(text))).toEqual([
      'one',
      'two',
      'three',
      'four',
      'five',
      'one',
      'three',
    ]);
  });

  it('starts a new generation when the texts it holds reach half its characters', () => {
    const counter = tokenCounter('gpt-4o');
    let asked = 0;
    const cache = new TokenCountCache(1_000, 40);
    const countText = (text: string) => {
      asked++;
      return counter.text(text);
    };
    for (const text of ['a'.repeat(15), 'b'.repeat(15), 'c'.repeat(15), 'a'.repeat(15)]) cache.count(text, countText);
    // [a] → [b] (a previous) → [c] (b previous): a is forgotten and counted again.
    expect(asked).toBe(4);
    expect(cache.size).toBe(2);
  });
});

describe('cachedTokenCounter', () => {
  it('is one counter per model for the whole process', () => {
    expect(cachedTokenCounter('gpt-4o')).toBe(cachedTokenCounter('gpt-4o'));
    expect(cachedTokenCounter('gpt-4o')).not.toBe(cachedTokenCounter('gpt-4'));
    expect(cachedTokenCounter('gpt-4o').text('Hello there')).toBe(tokenCounter('gpt-4o').text('Hello there'));
  });
});
