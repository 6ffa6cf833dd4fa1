import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createEngine, createRegistry } from '@baton/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChatServer, startChatServer } from '../testing/openai-compatible-server.js';
import { defineAgent } from './define-agent.js';
import { ModelCallError } from './model-call-error.js';

let server: ChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('ModelCallError', () => {
  it('names the model, its address and status when the endpoint refuses, with a hint for a 404', async () => {
    server = await startChatServer();
    // A baseURL without /v1: the chat path is not there.
    const base = server.baseURL.replace(/\/v1$/, '');
    const provider = createOpenAICompatible({ name: 'local', baseURL: base });
    const registry = createRegistry();
    registry.register(defineAgent({ name: 'bot', registry, model: provider.chatModel('tiny'), cache: false }));
    const error = await createEngine({ registry })
      .run({ steps: [{ id: 'ask', target: 'bot', input: { query: 'hi' }, policy: { retry: false } }] })
      .result()
      .catch((e: unknown) => e);
    const cause = (error as { cause?: unknown }).cause;
    expect(ModelCallError.isInstance(cause)).toBe(true);
    expect((cause as ModelCallError).status).toBe(404);
    expect((cause as Error).message).toContain(`the model tiny at ${base}/chat/completions answered 404`);
    expect((cause as Error).message).toContain('is the baseURL right?');
  });
});
