import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createEngine, createRegistry } from '@baton/core';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAgentFile } from './agent-file.js';
import { agentFromFile } from './agent-from-file.js';
import { defineAgent } from './define-agent.js';
import { NotAModelStreamError } from './not-a-model-stream-error.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A web server where a model endpoint should be: every request answered 200 with a page. */
async function startWebPage(): Promise<{ baseURL: string; calls: () => number }> {
  let calls = 0;
  server = createServer((request, response) => {
    calls++;
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>oops</html>');
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseURL: `http://127.0.0.1:${port}/v1`, calls: () => calls };
}

const ask = async (registry: ReturnType<typeof createRegistry>, target: string) => {
  const failure = await createEngine({ registry })
    .run({ steps: [{ id: 'ask', target, input: { query: 'hi' } }] })
    .result()
    .catch((error: unknown) => error);
  return (failure as { cause?: unknown }).cause;
};

describe('NotAModelStreamError', () => {
  it('a streaming agent whose endpoint answers 200 with a web page fails once, not retried, saying so', async () => {
    const page = await startWebPage();
    const provider = createOpenAICompatible({ name: 'local', baseURL: page.baseURL });
    const registry = createRegistry();
    registry.register(
      defineAgent({ name: 'bot', registry, model: provider.chatModel('tiny'), cache: false, stream: true }),
    );
    const cause = await ask(registry, 'bot');
    expect(NotAModelStreamError.isInstance(cause)).toBe(true);
    expect(cause).toMatchObject({ model: 'tiny', contentType: 'text/html', retryable: false });
    expect((cause as Error).message).toContain(
      'the model tiny answered 200 but its body was not a model stream (content-type text/html)',
    );
    expect(page.calls()).toBe(1);
  });

  it('from agent.yaml, the error names the address and shows the start of what it sent', async () => {
    const page = await startWebPage();
    const file = parseAgentFile(`model: { baseURL: "${page.baseURL}", name: tiny }\ncache: false\n`, 'agent.yaml');
    const registry = createRegistry();
    const agent = await agentFromFile(file, { registry, env: {}, stream: true });
    registry.register(agent.definition);
    const cause = await ask(registry, 'agent');
    expect(NotAModelStreamError.isInstance(cause)).toBe(true);
    expect(cause).toMatchObject({ url: `${page.baseURL}/chat/completions`, bodyStart: '<html>oops</html>' });
    expect((cause as Error).message).toBe(
      `the model tiny at ${page.baseURL}/chat/completions answered 200 but its body was not a model stream ` +
        '(content-type text/html); it sent: "<html>oops</html>"; is the baseURL that of an OpenAI-compatible API?',
    );
    expect(page.calls()).toBe(1);
    await agent.close();
  });
});
