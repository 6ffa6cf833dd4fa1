import { readFileSync } from 'node:fs';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { ValidationError } from '@baton/core';
import { generateText, jsonSchema, streamText, type ToolSet, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnhanceConfig } from '../config/enhance-config.js';
import { enhance } from '../enhance.js';
import { type ChatServer, startChatServer } from '../testing/openai-compatible-server.js';

const shipped = JSON.parse(readFileSync(new URL('../../data/tools/tools.json', import.meta.url), 'utf8')) as {
  tools: { name: string; description: string; inputSchema: Record<string, unknown> }[];
};

/** The first `count` tools of the shipped set as AI SDK tools (never executed: the server answers with text). */
function toolSet(count: number): ToolSet {
  return Object.fromEntries(
    shipped.tools
      .slice(0, count)
      .map((each) => [each.name, tool({ description: each.description, inputSchema: jsonSchema(each.inputSchema) })]),
  );
}

let server: ChatServer;
beforeAll(async () => {
  server = await startChatServer();
});
afterAll(() => server.close());

const model = (config: EnhanceConfig) =>
  enhance(createOpenAICompatible({ name: 'local', baseURL: server.baseURL }).chatModel('test-model'), {
    store: 'memory',
    ...config,
  });

/** The tool names the server received in the last request. */
const sentTools = () => {
  const body = server.bodies.at(-1) as unknown as { tools?: { function: { name: string } }[] };
  return (body.tools ?? []).map((each) => each.function.name);
};

describe('enhance() with toolSearch, through the real provider client', () => {
  it('sends only the k tools most relevant to the last user message', async () => {
    const tools = toolSet(40);
    await generateText({
      model: model({ toolSearch: { k: 3 } }),
      tools,
      messages: [
        { role: 'user', content: 'What is on my calendar?' },
        { role: 'assistant', content: 'Nothing today.' },
        { role: 'user', content: 'Text my mum at +351912345678 that I landed safely, an SMS please' },
      ],
      maxRetries: 0,
    });
    const sent = sentTools();
    expect(sent).toHaveLength(3);
    expect(sent).toContain('twilio_send_sms');
    expect(Object.keys(tools)).toHaveLength(40);
  });

  it('keeps the tool that toolChoice names, and does the same for a streamed call', async () => {
    const result = streamText({
      model: model({ toolSearch: { k: 2 } }),
      tools: toolSet(40),
      toolChoice: { type: 'tool', toolName: 'calendar_create_event' },
      prompt: 'Will it rain in Porto over the next days? Give me the forecast',
      maxRetries: 0,
    });
    await result.text;
    const sent = sentTools();
    expect(sent).toContain('calendar_create_event');
    expect(sent).toContain('weather_get_forecast');
    expect(sent).toHaveLength(3);
  });

  it('sends every tool when there are k or fewer, or when toolSearch is not set', async () => {
    await generateText({ model: model({ toolSearch: { k: 5 } }), tools: toolSet(5), prompt: 'hello', maxRetries: 0 });
    expect(sentTools()).toHaveLength(5);
    await generateText({ model: model({}), tools: toolSet(30), prompt: 'send an sms', maxRetries: 0 });
    expect(sentTools()).toHaveLength(30);
  });

  it('drops tools under minScore', async () => {
    await generateText({
      model: model({ toolSearch: { k: 5, minScore: 0.99 } }),
      tools: toolSet(30),
      prompt: 'zebra quantum saxophone',
      maxRetries: 0,
    });
    expect(sentTools()).toEqual([]);
  });

  it('refuses a bad toolSearch option, naming it and the value', () => {
    const refused = (config: EnhanceConfig) => {
      try {
        model(config);
      } catch (error) {
        if (ValidationError.isInstance(error)) return error.problems.map((problem) => [problem.path, problem.message]);
      }
      throw new Error('accepted');
    };
    expect(refused({ toolSearch: { k: 0 } })).toEqual([['toolSearch.k', 'must be an integer > 0, got 0']]);
    expect(refused({ toolSearch: { minScore: 0.5 } as never })).toEqual([
      ['toolSearch.k', 'is required: how many tools to keep'],
    ]);
    expect(refused({ toolSearch: { k: 3, minScore: 1.5, top: 3 } as never }).map(([path]) => path)).toEqual([
      'toolSearch.minScore',
      'toolSearch.top',
    ]);
    expect(refused({ toolSearch: 5 as never })).toEqual([['toolSearch', 'must be { k, minScore? }, got 5']]);
  });

  it('refuses toolSearch for a function, which offers no tools to a model', () => {
    expect(() => enhance(async (text: string) => text, { store: 'memory', toolSearch: { k: 3 } })).toThrow(
      /toolSearch: set, but a function offers no tools to a model/,
    );
  });
});
