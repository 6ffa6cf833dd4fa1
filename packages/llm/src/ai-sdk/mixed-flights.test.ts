import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createSifEmbedder, type Embedder } from '@baton/cache';
import { generateText, streamText, wrapLanguageModel } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enhance } from '../enhance.js';
import { type ChatServer, startChatServer } from '../testing/openai-compatible-server.js';

let server: ChatServer;
beforeAll(async () => {
  server = await startChatServer();
});
afterAll(() => server.close());

/** An embedder that counts its calls: a lookup's last wait before it decides is embedding the prompt. */
function countingEmbedder(): Embedder & { calls: number } {
  const inner = createSifEmbedder();
  const counting = {
    id: inner.id,
    dimension: inner.dimension,
    calls: 0,
    embed: async (texts: string[]) => {
      const vectors = await inner.embed(texts);
      counting.calls++;
      return vectors;
    },
  };
  return counting;
}

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
};

/**
 * Starts `first`, waits until its request reached the server (replies held), starts `second` and waits until it
 * has made its choice (`decided`: it reached the point where it joins or calls the server), then releases replies.
 */
async function overlapping<A, B>(first: () => A, second: () => B, decided: () => boolean): Promise<[A, B]> {
  const release = server.holdReplies();
  const calls = server.calls;
  const a = first();
  await until(() => server.calls > calls);
  const b = second();
  await until(decided);
  // What the second call does right after that point runs before I/O resumes.
  await new Promise((resolve) => setImmediate(resolve));
  release();
  return [a, b];
}

describe('a generate and a stream call with the same key', () => {
  const prompt = 'Explain request coalescing in one sentence';

  it.each([
    ['stream first, then generate', 'stream' as const],
    ['generate first, then stream', 'generate' as const],
  ])('%s: one provider call, the follower counted once as coalesced', async (_name, leader) => {
    const embedder = countingEmbedder();
    const m = enhance(createOpenAICompatible({ name: 'local', baseURL: server.baseURL }).chatModel('mixed'), {
      store: 'memory',
      embedder,
    });
    // Counts generate calls reaching the enhanced model, whose middleware decides at once whether to join a stream.
    let generating = 0;
    const observed = wrapLanguageModel({
      model: m,
      middleware: {
        specificationVersion: 'v3',
        wrapGenerate: ({ doGenerate }) => {
          generating++;
          return doGenerate();
        },
      },
    });
    const calls = server.calls;
    const stream = () => streamText({ model: m, prompt, maxRetries: 0 });
    const generate = () => generateText({ model: observed, prompt, maxRetries: 0 });
    let streamed: ReturnType<typeof stream>;
    let generated: ReturnType<typeof generate>;
    if (leader === 'stream') {
      [streamed, generated] = await overlapping(stream, generate, () => generating > 0);
    } else {
      const embedded = embedder.calls + 1;
      [generated, streamed] = await overlapping(generate, stream, () => embedder.calls > embedded);
    }
    const [text, generatedResult] = await Promise.all([streamed.text, generated]);
    expect(server.calls).toBe(calls + 1);
    expect(text).toBe(`answer to: ${prompt}`);
    expect(generatedResult.text).toBe(text);
    const follower = leader === 'stream' ? generatedResult.providerMetadata : await streamed.providerMetadata;
    expect(follower?.baton).toMatchObject({ tier: 'coalesced' });
    expect(m.getMetrics()).toMatchObject({ calls: 2, misses: 1, hits: { coalesced: 1 } });
  });
});
