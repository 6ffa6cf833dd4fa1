import type { LanguageModelV3, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { StreamEndedEarlyError } from '../ai-sdk/stream-ended-early-error.js';
import { generateByStreaming } from './generate-by-streaming.js';
import { NotAModelStreamError } from './not-a-model-stream-error.js';

const usage = {
  inputTokens: { total: 12, noCache: 12, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 7, text: 7, reasoning: undefined },
};

/** A model (a stand-in inside this unit test) whose stream sends `parts`. */
function streaming(
  parts: LanguageModelV3StreamPart[],
  headers: Record<string, string> = { 'x-id': '1' },
): LanguageModelV3 {
  return {
    specificationVersion: 'v3',
    provider: 'test',
    modelId: 'streamer',
    supportedUrls: {},
    doGenerate: () => Promise.reject(new Error('not used')),
    doStream: async () => ({
      stream: new ReadableStream({
        start(controller) {
          for (const part of parts) controller.enqueue(part);
          controller.close();
        },
      }),
      request: { body: '{}' },
      response: { headers },
    }),
  };
}

const options = { prompt: [] };

describe('generateByStreaming', () => {
  it('gathers the parts into a generate result, handing over each piece of text as it comes', async () => {
    const pieces: string[] = [];
    const result = await generateByStreaming(
      streaming([
        { type: 'stream-start', warnings: [] },
        { type: 'response-metadata', id: 'r-1', modelId: 'streamer-1' },
        { type: 'reasoning-start', id: 'r' },
        { type: 'reasoning-delta', id: 'r', delta: 'Think' },
        { type: 'text-start', id: 't' },
        { type: 'text-delta', id: 't', delta: 'Rain ' },
        { type: 'reasoning-delta', id: 'r', delta: 'ing.' },
        { type: 'text-delta', id: 't', delta: 'tomorrow.' },
        { type: 'text-end', id: 't' },
        { type: 'reasoning-end', id: 'r' },
        { type: 'tool-input-start', id: 'c1', toolName: 'forecast' },
        { type: 'tool-input-delta', id: 'c1', delta: '{"city":' },
        { type: 'tool-call', toolCallId: 'c1', toolName: 'forecast', input: '{"city":"Oslo"}' },
        { type: 'finish', finishReason: { unified: 'tool-calls', raw: 'tool_calls' }, usage },
      ]),
      options,
      (delta) => pieces.push(delta),
    );
    expect(pieces).toEqual(['Rain ', 'tomorrow.']);
    expect(result.content).toEqual([
      { type: 'reasoning', text: 'Thinking.' },
      { type: 'text', text: 'Rain tomorrow.' },
      { type: 'tool-call', toolCallId: 'c1', toolName: 'forecast', input: '{"city":"Oslo"}' },
    ]);
    expect(result.finishReason).toEqual({ unified: 'tool-calls', raw: 'tool_calls' });
    expect(result.usage).toEqual(usage);
    expect(result.response).toMatchObject({ id: 'r-1', modelId: 'streamer-1', headers: { 'x-id': '1' } });
    expect(result.request).toEqual({ body: '{}' });
  });

  it('takes a delta that comes before its start as its start', async () => {
    const result = await generateByStreaming(
      streaming([
        { type: 'text-delta', id: 'x', delta: 'Hi' },
        { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage },
      ]),
      options,
      () => {},
    );
    expect(result.content).toEqual([{ type: 'text', text: 'Hi' }]);
  });

  it('throws the error a stream sends, and a StreamEndedEarlyError when it ends without finishing', async () => {
    const failure = new Error('overloaded');
    await expect(
      generateByStreaming(
        streaming([
          { type: 'text-delta', id: 't', delta: 'a' },
          { type: 'error', error: failure },
        ]),
        options,
        () => {},
      ),
    ).rejects.toBe(failure);
    const cut = await generateByStreaming(
      streaming([{ type: 'text-delta', id: 't', delta: 'a' }]),
      options,
      () => {},
    ).catch((error: unknown) => error);
    expect(StreamEndedEarlyError.isInstance(cut)).toBe(true);
    expect(cut).toMatchObject({ model: 'streamer', retryable: true });
    expect((cut as Error).message).toBe(
      'the stream of model streamer ended without a finish part: its answer may be cut short',
    );
  });

  it('a 200 that carried no answer and was no event stream is a NotAModelStreamError; a cut event stream is not', async () => {
    const empty: LanguageModelV3StreamPart[] = [{ type: 'stream-start', warnings: [] }];
    const page = await generateByStreaming(streaming(empty, { 'content-type': 'text/html' }), options, () => {}).catch(
      (error: unknown) => error,
    );
    expect(NotAModelStreamError.isInstance(page)).toBe(true);
    expect(page).toMatchObject({ model: 'streamer', contentType: 'text/html', retryable: false });
    const failure = new Error('Response stream ended without a finish reason.');
    const refused = await generateByStreaming(
      streaming([...empty, { type: 'error', error: failure }], { 'content-type': 'application/json' }),
      options,
      () => {},
    ).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'not-a-model-stream', cause: failure });
    const cut = await generateByStreaming(
      streaming(empty, { 'content-type': 'text/event-stream; charset=utf-8' }),
      options,
      () => {},
    ).catch((error: unknown) => error);
    expect(StreamEndedEarlyError.isInstance(cut)).toBe(true);
  });
});
