/**
 * Streams and the cache: `replayStream` turns a cached answer into AI SDK v6 stream parts (text and reasoning as
 * word-sized deltas, tool calls and sources as they were, then `finish` with zero usage and the hit's metadata);
 * `collectStream` passes a live stream through unchanged while rebuilding its content, and hands the finished
 * answer over before the `finish` part reaches the caller — an error part, a stream that fails or ends without its
 * `finish` part, or a cancelled stream hands over nothing, and each but the last is reported as a failure.
 */
import type {
  LanguageModelV3Content,
  LanguageModelV3FinishReason,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';
import { simulateReadableStream } from 'ai';
import { type CacheHit, hitMetadata, ZERO_USAGE } from './generate-result.js';
import { StreamEndedEarlyError } from './stream-ended-early-error.js';

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

export interface CollectHandlers {
  /** The model whose stream it is, named by the error of a stream cut short. */
  modelId: string;
  /** The finished answer, handed over before the `finish` part reaches the reader. */
  onFinish(finished: FinishedStream): Promise<void>;
  /**
   * The stream failed, once: an error part, an error of the stream itself, or an end without a `finish` part (a
   * `StreamEndedEarlyError`: the answer may be cut short).
   */
  onError(error: unknown): void;
  /** The reader cancelled the stream before its end. */
  onCancel?(): void;
}

export function collectStream(
  stream: ReadableStream<LanguageModelV3StreamPart>,
  handlers: CollectHandlers,
): ReadableStream<LanguageModelV3StreamPart> {
  const content: LanguageModelV3Content[] = [];
  const open = new Map<string, { type: 'text' | 'reasoning'; text: string }>();
  let outcome: 'finished' | 'failed' | 'cancelled' | undefined;
  const fail = (error: unknown) => {
    if (outcome !== undefined) return;
    outcome = 'failed';
    handlers.onError(error);
  };
  const reader = stream.getReader();
  return new ReadableStream<LanguageModelV3StreamPart>({
    async pull(controller) {
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (error) {
        fail(error);
        controller.error(error);
        return;
      }
      if (next.done) {
        fail(new StreamEndedEarlyError(handlers.modelId));
        controller.close();
        return;
      }
      const part = next.value;
      if (part.type === 'text-start' || part.type === 'reasoning-start') {
        const item = { type: part.type === 'text-start' ? ('text' as const) : ('reasoning' as const), text: '' };
        open.set(part.id, item);
        content.push(item);
      } else if (part.type === 'text-delta' || part.type === 'reasoning-delta') {
        const item = open.get(part.id);
        if (item) item.text += part.delta;
      } else if (part.type === 'tool-call' || part.type === 'source' || part.type === 'file') {
        content.push(part as LanguageModelV3Content);
      } else if (part.type === 'error') {
        fail(part.error);
      } else if (part.type === 'finish' && outcome === undefined) {
        outcome = 'finished';
        await handlers.onFinish({ content, finishReason: part.finishReason, usage: part.usage });
      }
      controller.enqueue(part);
    },
    cancel(reason) {
      if (outcome === undefined) {
        outcome = 'cancelled';
        handlers.onCancel?.();
      }
      return reader.cancel(reason);
    },
  });
}
