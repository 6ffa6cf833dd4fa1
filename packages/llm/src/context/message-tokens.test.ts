import type { ModelMessage } from 'ai';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { tokenCounter } from '../tokens/token-counter.js';
import { countContext, MEDIA_PART_TOKENS, messageTokens, TOOL_CALL_OVERHEAD } from './message-tokens.js';

const counter = tokenCounter('gpt-4o');
const tokens = (text: string) => encode(text).length;

describe('messageTokens', () => {
  it('counts a text message as the counter does, in a string or in text parts', () => {
    const plain = counter.message({ role: 'user', content: 'What is the weather in Porto?' });
    expect(messageTokens(counter, { role: 'user', content: 'What is the weather in Porto?' })).toBe(plain);
    expect(
      messageTokens(counter, { role: 'user', content: [{ type: 'text', text: 'What is the weather in Porto?' }] }),
    ).toBe(plain);
    expect(messageTokens(counter, { role: 'system', content: 'Be brief.' })).toBe(
      counter.message({ role: 'system', content: 'Be brief.' }),
    );
  });

  it('counts a tool call as its name and JSON arguments, and each tool result as a message named by its call', () => {
    const call: ModelMessage = {
      role: 'assistant',
      content: [{ type: 'tool-call', toolCallId: 'call-1', toolName: 'weather', input: { city: 'Porto' } }],
    };
    expect(messageTokens(counter, call)).toBe(
      counter.message({ role: 'assistant', content: '' }) +
        tokens('weather') +
        tokens('{"city":"Porto"}') +
        TOOL_CALL_OVERHEAD,
    );
    const result: ModelMessage = {
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          toolCallId: 'call-1',
          toolName: 'weather',
          output: { type: 'json', value: { tempC: 21 } },
        },
        { type: 'tool-result', toolCallId: 'call-2', toolName: 'news', output: { type: 'text', value: 'No news.' } },
      ],
    };
    expect(messageTokens(counter, result)).toBe(
      counter.message({ role: 'tool', content: '{"tempC":21}', name: 'call-1' }) +
        counter.message({ role: 'tool', content: 'No news.', name: 'call-2' }),
    );
  });

  it('counts an image at the fixed media price', () => {
    const message: ModelMessage = {
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image', image: new URL('https://example.com/cat.png') },
      ],
    };
    expect(messageTokens(counter, message)).toBe(
      counter.message({ role: 'user', content: 'What is this?' }) + MEDIA_PART_TOKENS,
    );
  });
});

describe('countContext', () => {
  it('adds the request overhead, every message and the tool definitions', () => {
    const messages: ModelMessage[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ];
    const tools = [{ name: 'weather', description: 'Current weather', parameters: { type: 'object', properties: {} } }];
    expect(countContext(counter, messages, tools)).toBe(
      counter.requestOverhead +
        messageTokens(counter, messages[0]!) +
        messageTokens(counter, messages[1]!) +
        counter.tools(tools),
    );
    expect(countContext(counter, [])).toBe(counter.requestOverhead);
  });
});
