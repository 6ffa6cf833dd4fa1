import type { ModelMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { tokenCounter } from '../tokens/token-counter.js';
import { contextItems } from './context-items.js';

const call = (id: string): ModelMessage => ({
  role: 'assistant',
  content: [{ type: 'tool-call', toolCallId: id, toolName: 'lookup', input: {} }],
});
const result = (...ids: string[]): ModelMessage => ({
  role: 'tool',
  content: ids.map((toolCallId) => ({
    type: 'tool-result' as const,
    toolCallId,
    toolName: 'lookup',
    output: { type: 'text' as const, value: `result of ${toolCallId}` },
  })),
});

const messages: ModelMessage[] = [
  { role: 'user', content: 'first question' }, // 0: turn 0
  call('a'), // 1
  result('a'), // 2
  { role: 'assistant', content: 'first answer' }, // 3
  { role: 'system', content: 'a note for the model' }, // 4
  { role: 'user', content: 'second question' }, // 5: turn 1
  call('b'), // 6
  { role: 'user', content: 'third question' }, // 7: turn 2, the last
  result('b'), // 8: answers call b of turn 1
  call('c'), // 9
  result('c'), // 10
];

describe('contextItems', () => {
  const items = contextItems(tokenCounter('gpt-4o'), {
    system: 'Be brief.',
    messages,
    documents: [
      { id: 'kept', text: 'a pinned document', pinned: true },
      { id: 'first', text: 'first document' },
      { id: 'second', text: 'second document' },
    ],
    pinned: [2],
  });
  const byMessage = (index: number) => items.find((item) => item.kind === 'message' && item.index === index)!;

  it('puts the system prompt first, then the documents, then the messages', () => {
    expect(items.map((item) => item.kind)).toEqual([
      'system',
      'document',
      'document',
      'document',
      ...messages.map(() => 'message'),
    ]);
    expect(items[1]!.message).toEqual({
      role: 'system',
      content: '<document id="kept">\na pinned document\n</document>',
    });
  });

  it('pins a tool call with its pinned result, and protects system messages and the last user turn', () => {
    expect([1, 2].map((index) => byMessage(index).pinned)).toEqual([true, true]);
    expect(byMessage(4)).toMatchObject({ pinned: true, protected: true, group: -1 });
    expect([7, 8, 9, 10].map((index) => byMessage(index).current)).toEqual([true, true, true, true]);
    expect(byMessage(6)).toMatchObject({ current: true, protected: true }); // its result is in the last turn
    expect([0, 3].map((index) => byMessage(index).group)).toEqual([0, 0]);
    expect(byMessage(5).group).toBe(1);
  });

  it('drops documents after every turn, the last given first', () => {
    const groups = items.filter((item) => item.kind === 'document').map((item) => item.group);
    expect(groups[0]).toBe(-1);
    expect(groups[2]!).toBeLessThan(groups[1]!);
    expect(groups[2]!).toBeGreaterThan(byMessage(5).group);
  });

  it('lets strategies change only the texts of unpinned documents and tool results', () => {
    expect(items[0]!.slots).toEqual([]);
    expect(items[1]!.slots).toEqual([]);
    expect(items[2]!.slots).toEqual([{ part: -1, text: 'first document', value: false, changed: false }]);
    expect(byMessage(2).slots).toEqual([]);
    expect(byMessage(10).slots).toEqual([{ part: 0, text: 'result of c', value: false, changed: false }]);
    expect(byMessage(0).slots).toEqual([]);
  });
});
