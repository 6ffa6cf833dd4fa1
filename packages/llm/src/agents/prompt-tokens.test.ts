import type { ModelMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { tokenCounter } from '../tokens/token-counter.js';
import { messageText, promptTokens } from './prompt-tokens.js';

const conversation: ModelMessage[] = [
  { role: 'system', content: 'You help.' },
  { role: 'user', content: 'Rain in Oslo?' },
  {
    role: 'assistant',
    content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'forecast', input: { city: 'Oslo' } }],
  },
  {
    role: 'tool',
    content: [
      { type: 'tool-result', toolCallId: 'c1', toolName: 'forecast', output: { type: 'json', value: { rain: true } } },
    ],
  },
];

describe('promptTokens', () => {
  it('reads each part as the provider sends it', () => {
    expect(conversation.map(messageText)).toEqual([
      'You help.',
      'Rain in Oslo?',
      'forecast {"city":"Oslo"}',
      '{"type":"json","value":{"rain":true}}',
    ]);
  });

  it('counts messages, their framing and the tools with the model tokenizer', () => {
    const counter = tokenCounter('gpt-4o');
    const messages = conversation.reduce(
      (sum, message) => sum + counter.message({ role: message.role, content: messageText(message) }),
      0,
    );
    const tools = [{ name: 'forecast', description: 'Forecast', parameters: { type: 'object' } }];
    expect(promptTokens(counter, conversation, tools)).toBe(counter.requestOverhead + messages + counter.tools(tools));
    expect(promptTokens(counter, conversation, [])).toBe(counter.requestOverhead + messages);
  });
});
