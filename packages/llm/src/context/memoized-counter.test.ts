import { describe, expect, it } from 'vitest';
import { type CountedMessage, tokenCounter } from '../tokens/token-counter.js';
import { memoizedCounter } from './memoized-counter.js';

const messages: CountedMessage[] = [
  { role: 'user', content: 'What is the weather in Porto?' },
  { role: 'assistant', content: '' },
  { role: 'tool', content: '{"tempC":21}', name: 'call-1' },
  { role: 'system', content: 'Forecast: ☂️ later — 21°C.' },
];

describe('memoizedCounter', () => {
  it.each(['gpt-4o', 'gpt-4', 'claude-sonnet-4'])('counts as the counter it wraps (%s)', (model) => {
    const counter = tokenCounter(model);
    const memoized = memoizedCounter(counter);
    for (const message of [...messages, ...messages]) {
      expect(memoized.message(message)).toBe(counter.message(message));
      expect(memoized.text(message.content)).toBe(counter.text(message.content));
    }
    const tools = [{ name: 'weather', description: 'Current weather', parameters: { type: 'object' } }];
    expect(memoized.tools(tools)).toBe(counter.tools(tools));
    expect(memoized.requestOverhead).toBe(counter.requestOverhead);
    expect(memoized.exact).toBe(counter.exact);
  });

  it('asks the counter once per distinct text', () => {
    const counter = tokenCounter('gpt-4o');
    let asked = 0;
    const counting = (text: string) => {
      asked++;
      return counter.text(text);
    };
    const memoized = memoizedCounter({ ...counter, text: counting });
    const before = asked;
    memoized.text('the same text');
    memoized.text('the same text');
    expect(asked - before).toBe(1);
  });
});
