import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { ValidationError } from '@baton/core';
import { generateText, streamText } from 'ai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EnhanceConfig } from '../config/enhance-config.js';
import { enhance } from '../enhance.js';
import { type ChatServer, startChatServer } from '../testing/openai-compatible-server.js';
import { temporaryWorkingDirectory } from '../testing/temporary-working-directory.js';

/** Each test gets its own working directory, so the default store (`.baton/cache.db`) starts empty there. */
const workingDirectory = temporaryWorkingDirectory();
beforeEach(workingDirectory.enter);
afterEach(workingDirectory.leave);

let server: ChatServer;
beforeAll(async () => {
  server = await startChatServer();
});
afterAll(() => server.close());

const model = (config: EnhanceConfig) =>
  enhance(createOpenAICompatible({ name: 'local', baseURL: server.baseURL }).chatModel('rag-model'), config);
const ask = (m: ReturnType<typeof model>, prompt: string, user = 'alice') =>
  generateText({ model: m, prompt, maxRetries: 0, providerOptions: { baton: { scope: { user } } } });
const systemOf = (index: number) =>
  server.bodies[index]!.messages.filter((message) => message.role === 'system').map((message) => message.content);

async function seed(m: ReturnType<typeof model>) {
  await ask(m, 'How do I reset my password on the website?');
  await ask(m, 'How do I change my password in the mobile app?');
  await ask(m, 'What is the refund policy for annual plans?');
}

describe('context injection (self-RAG)', () => {
  it('adds the top-K related past answers of the same scope to the prompt on a miss', async () => {
    const m = model({
      enableContextInjection: true,
      contextInjectionTopK: 2,
      contextInjectionTemplate: 'EARLIER:\n{context}',
      similarityThreshold: 0.99,
    });
    await seed(m);
    await ask(m, 'How do I reset my password if I lost my phone?');
    const [injected] = systemOf(server.bodies.length - 1);
    expect(injected).toMatch(/^EARLIER:\n/);
    expect((injected as string).match(/^Q: /gm)).toHaveLength(2);
    expect(injected).toContain('A: answer to: How do I reset my password on the website?');
    expect(m.getRecords().at(-1)).toMatchObject({ outcome: 'miss', injectedContext: 2 });
  });

  it('uses the default template and injects into streamed calls too', async () => {
    const m = model({ enableContextInjection: true, contextInjectionTopK: 1, similarityThreshold: 0.99 });
    await seed(m);
    await streamText({
      model: m,
      prompt: 'How can I reset my password today?',
      maxRetries: 0,
      providerOptions: { baton: { scope: { user: 'alice' } } },
    }).text;
    const [injected] = systemOf(server.bodies.length - 1);
    expect(injected).toMatch(/^Related answers given earlier/);
    expect((injected as string).match(/^Q: /gm)).toHaveLength(1);
  });

  it('never injects answers from another scope, and respects contextInjectionMinSimilarity', async () => {
    const m = model({ enableContextInjection: true, similarityThreshold: 0.99 });
    await seed(m);
    await ask(m, 'How do I reset my password if I lost my phone?', 'bob');
    expect(systemOf(server.bodies.length - 1)).toEqual([]);
    const strict = model({
      enableContextInjection: true,
      contextInjectionMinSimilarity: 0.999,
      similarityThreshold: 0.99,
    });
    await seed(strict);
    await ask(strict, 'How do I reset my password if I lost my phone?');
    expect(systemOf(server.bodies.length - 1)).toEqual([]);
  });

  it('injects nothing when disabled (the default)', async () => {
    const m = model({ similarityThreshold: 0.99 });
    await seed(m);
    await ask(m, 'How do I reset my password if I lost my phone?');
    expect(systemOf(server.bodies.length - 1)).toEqual([]);
  });
});

describe('context injection on targets without a prompt', () => {
  const graph = { invoke: async () => ({}), stream: async () => [] };

  it.each([
    ['a function', async () => 'answer'],
    ['a graph', graph],
  ])('refuses it for %s at enhance() time, naming the option', (_name, target) => {
    let thrown: unknown;
    try {
      enhance(target as never, { enableContextInjection: true, store: 'memory' });
    } catch (error) {
      thrown = error;
    }
    expect(ValidationError.isInstance(thrown)).toBe(true);
    expect((thrown as ValidationError).problems).toEqual([
      expect.objectContaining({ path: 'enableContextInjection', code: 'unsupported-target' }),
    ]);
    expect(() => enhance(target as never, { enableContextInjection: false, store: 'memory' })).not.toThrow();
  });
});
