import { createHash } from 'node:crypto';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText } from 'ai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { enhance } from '../enhance.js';
import { type ChatServer, startChatServer } from '../testing/openai-compatible-server.js';

/** The server answers with a digest of the image it was sent, so an answer given for another image shows. */
let server: ChatServer;
beforeAll(async () => {
  server = await startChatServer({
    reply: (body) => {
      const last = body.messages[body.messages.length - 1]!.content;
      const image = Array.isArray(last) ? JSON.stringify(last.filter((part) => part.type !== 'text')) : '';
      return `a picture ${createHash('sha256').update(image).digest('hex').slice(0, 8)}`;
    },
  });
});
afterAll(() => server.close());

const model = () =>
  enhance(createOpenAICompatible({ name: 'local', baseURL: server.baseURL }).chatModel('vision'), { store: 'memory' });

const askAbout = (m: ReturnType<typeof model>, image: Uint8Array | string) =>
  generateText({
    model: m,
    maxRetries: 0,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in this picture?' },
          { type: 'image', image, mediaType: 'image/png' },
        ],
      },
    ],
  });

it('answers two different images of the same length separately, and the same image from the cache', async () => {
  const m = model();
  const first = new Uint8Array([137, 80, 78, 71, 1, 2, 3, 4]);
  const second = new Uint8Array([137, 80, 78, 71, 4, 3, 2, 1]);
  const calls = server.calls;
  const a = await askAbout(m, first);
  const b = await askAbout(m, second);
  expect(server.calls).toBe(calls + 2);
  expect(b.text).not.toBe(a.text);
  expect(b.providerMetadata?.baton).toBeUndefined();
  const again = await askAbout(m, Buffer.from(first).toString('base64'));
  expect(server.calls).toBe(calls + 2);
  expect(again.text).toBe(a.text);
  expect(again.providerMetadata?.baton).toMatchObject({ tier: 'exact' });
});
