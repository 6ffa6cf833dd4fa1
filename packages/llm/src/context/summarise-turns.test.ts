import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { ModelMessage } from 'ai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChatServer, startChatServer } from '../testing/openai-compatible-server.js';
import { tokenCounter } from '../tokens/token-counter.js';
import { assembleContext } from './assemble-context.js';
import { countContext, messageTokens } from './message-tokens.js';
import { SUMMARY_PREFIX, summariseTurns, summaryReserve, transcriptOf } from './summarise-turns.js';

let server: ChatServer;
let reply: string;

beforeEach(async () => {
  reply = 'Ana asked about order 1 (shipped from Porto) and order 2 (delayed by a strike).';
  server = await startChatServer({ reply: () => reply });
});
afterEach(() => server.close());

const model = () => createOpenAICompatible({ name: 'local', baseURL: server.baseURL }).chatModel('summariser-1');
const counter = tokenCounter('gpt-4o');

function turn(n: number, status: string): ModelMessage[] {
  const toolCallId = `call-${n}`;
  return [
    { role: 'user', content: `How is order ${n} doing?` },
    { role: 'assistant', content: [{ type: 'tool-call', toolCallId, toolName: 'order', input: { id: n } }] },
    {
      role: 'tool',
      content: [{ type: 'tool-result', toolCallId, toolName: 'order', output: { type: 'text', value: status } }],
    },
    { role: 'assistant', content: `Order ${n}: ${status}` },
  ];
}

const messages = [...turn(1, 'shipped from Porto'), ...turn(2, 'delayed by a strike'), ...turn(3, 'delivered')];

describe('summariseTurns', () => {
  it('asks the model through the real provider client for a summary of a transcript, and reports its usage', async () => {
    const summary = await summariseTurns({ model: model(), maxTokens: 100, counter, messages: messages.slice(0, 8) });
    expect(summary.text).toBe(reply);
    expect(summary.message).toEqual({ role: 'system', content: `${SUMMARY_PREFIX}${reply}` });
    expect(summary.usage.outputTokens).toBeGreaterThan(0);
    expect(summary.usage.inputTokens).toBeGreaterThan(0);
    const body = server.bodies[0] as unknown as { max_tokens: number; messages: { role: string; content: string }[] };
    expect(body.max_tokens).toBe(100);
    expect(body.messages.at(-1)!.content).toBe(transcriptOf(messages.slice(0, 8)));
    expect(transcriptOf(messages.slice(0, 3))).toBe(
      'user: How is order 1 doing?\n\nassistant: called order({"id":1})\n\ntool: order returned: shipped from Porto',
    );
  });

  it('cuts a summary longer than the room kept for it', async () => {
    reply = 'A long answer that ignores the limit. '.repeat(40);
    const summary = await summariseTurns({ model: model(), maxTokens: 30, counter, messages });
    expect(messageTokens(counter, summary.message)).toBeLessThanOrEqual(summaryReserve(counter, 30));
    expect(summary.text).toMatch(/\[… truncated: \d+ of \d+ tokens left out\]$/);
  });
});

describe('assembleContext with a summariser', () => {
  const all = countContext(counter, messages);
  const limit = all - 20;

  it('replaces the dropped turns with one summary after the system prompt, within the budget', async () => {
    const context = await assembleContext({
      model: 'gpt-4o',
      system: 'You track orders.',
      messages,
      budget: { maxInputTokens: limit, reserveOutputTokens: 0 },
      strategies: { summarise: { model: model(), maxTokens: 40 } },
    });
    expect(context.messages[0]).toEqual({ role: 'system', content: 'You track orders.' });
    expect(context.messages[1]).toEqual({ role: 'system', content: `${SUMMARY_PREFIX}${reply}` });
    expect(context.messages.slice(2)).toEqual(messages.slice(8));
    expect(context.tokens).toBe(countContext(counter, context.messages));
    expect(context.tokens).toBeLessThanOrEqual(limit);
    expect(context.summary).toMatchObject({ text: reply, usage: { outputTokens: expect.any(Number) } });
    const summarised = context.manifest.filter((item) => item.status === 'summarised').map((item) => item.index);
    expect(summarised).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(context.manifest.at(-1)).toMatchObject({
      kind: 'summary',
      status: 'kept',
      reason: 'summary of 8 dropped messages',
    });
    expect(server.calls).toBe(1);
  });

  it('drops the turns without a summary when the summary call fails', async () => {
    server.failWith(400);
    const context = await assembleContext({
      model: 'gpt-4o',
      messages,
      budget: { maxInputTokens: limit, reserveOutputTokens: 0 },
      strategies: { summarise: { model: model(), maxTokens: 40 } },
    });
    expect(context.summary).toBeUndefined();
    expect(context.messages).toEqual(messages.slice(8));
    expect(context.manifest[0]).toMatchObject({ status: 'dropped' });
    expect(context.manifest[0]!.reason).toContain('the summary call failed');
  });

  it('asks for no summary when nothing is dropped', async () => {
    const context = await assembleContext({
      model: 'gpt-4o',
      messages,
      budget: { maxInputTokens: all, reserveOutputTokens: 0 },
      strategies: { summarise: { model: model(), maxTokens: 40 } },
    });
    expect(context.messages).toEqual(messages);
    expect(server.calls).toBe(0);
  });
});
