/**
 * Streams and the cache: `replayStream` turns a cached answer into AI SDK v6 stream parts (text and reasoning as
 * word-sized deltas, tool calls and sources as they were, then `finish` with zero usage and the hit's metadata);
 * `collectStream` passes a live stream through unchanged while rebuilding its content, and hands the finished
 * answer over before the `finish` part reaches the caller — an error part or a cancelled stream hands over nothing.
 */
import type {
  LanguageModelV3Content,
  LanguageModelV3FinishReason,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';
import { simulateReadableStream } from 'ai';
import { type CacheHit, hitMetadata, ZERO_USAGE } from './generate-result.js';

function deltas(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? [text];
}

function replayParts(content: readonly LanguageModelV3Content[]): LanguageModelV3StreamPart[] {
  const parts: LanguageModelV3StreamPart[] = [];
  content.forEach((part, index) => {
    const id = String(index);
    if (part.type === 'text' || part.type === 'reasoning') {
      const kind = part.type;
      parts.push({ type: `${kind}-start`, id });
      for (const delta of deltas(part.text)) parts.push({ type: `${kind}-delta`, id, delta });
      parts.push({ type: `${kind}-end`, id });
    } else if (part.type === 'tool-call' || part.type === 'source') {
      parts.push(part);
    }
  });
  return parts;
}

export function replayStream(hit: CacheHit, modelId: string): ReadableStream<LanguageModelV3StreamPart> {
  const content = (hit.response.content as LanguageModelV3Content[] | undefined) ?? [
    { type: 'text', text: hit.response.text ?? '' },
  ];
  return simulateReadableStream<LanguageModelV3StreamPart>({
    initialDelayInMs: null,
    chunkDelayInMs: null,
    chunks: [
      { type: 'stream-start', warnings: [] },
      { type: 'response-metadata', modelId, timestamp: new Date() },
      ...replayParts(content),
      {
        type: 'finish',
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: ZERO_USAGE,
        providerMetadata: hitMetadata(hit),
      },
    ],
  });
}

export interface FinishedStream {
  content: LanguageModelV3Content[];
  finishReason: LanguageModelV3FinishReason;
  usage: LanguageModelV3Usage;
}

export function collectStream(
  stream: ReadableStream<LanguageModelV3StreamPart>,
  onFinish: (finished: FinishedStream) => Promise<void>,
  onError: (error: unknown) => void,
): ReadableStream<LanguageModelV3StreamPart> {
  const content: LanguageModelV3Content[] = [];
  const open = new Map<string, { type: 'text' | 'reasoning'; text: string }>();
  let failed = false;
  return stream.pipeThrough(
    new TransformStream<LanguageModelV3StreamPart, LanguageModelV3StreamPart>({
      async transform(part, controller) {
        if (part.type === 'text-start' || part.type === 'reasoning-start') {
          const item = { type: part.type === 'text-start' ? ('text' as const) : ('reasoning' as const), text: '' };
          open.set(part.id, item);
          content.push(item);
        } else if (part.type === 'text-delta' || part.type === 'reasoning-delta') {
          const item = open.get(part.id);
          if (item) item.text += part.delta;
        } else if (part.type === 'tool-call' || part.type === 'source' || part.type === 'file') {
          content.push(part as LanguageModelV3Content);
        } else if (part.type === 'error' && !failed) {
          failed = true;
          onError(part.error);
        } else if (part.type === 'finish' && !failed) {
          await onFinish({ content, finishReason: part.finishReason, usage: part.usage });
        }
        controller.enqueue(part);
      },
    }),
  );
}
