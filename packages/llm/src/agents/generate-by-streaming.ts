/**
 * A model call made by streaming, answered as `doGenerate` would answer it: the parts of `doStream` gathered into
 * one result (text and reasoning joined by their ids, in the order they started; tool calls, tool results, files and
 * sources as they came; the finish reason, usage and response metadata), each piece of text handed to `onText` as it
 * arrives. So an agent's loop stays a loop of generations, journaled as such, while its answer can be shown as it
 * is written.
 */
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3FinishReason,
  LanguageModelV3GenerateResult,
  LanguageModelV3ResponseMetadata,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
  SharedV3ProviderMetadata,
  SharedV3Warning,
} from '@ai-sdk/provider';
import { StreamEndedEarlyError } from '../ai-sdk/stream-ended-early-error.js';
import { NotAModelStreamError } from './not-a-model-stream-error.js';

type Joined = Extract<LanguageModelV3Content, { type: 'text' | 'reasoning' }>;

class GatheredAnswer {
  readonly content: LanguageModelV3Content[] = [];
  readonly #open = new Map<string, Joined>();
  warnings: SharedV3Warning[] = [];
  metadata: LanguageModelV3ResponseMetadata = {};
  finish: { finishReason: LanguageModelV3FinishReason; usage: LanguageModelV3Usage } | undefined;
  providerMetadata: SharedV3ProviderMetadata | undefined;
  /** Whether any part of a model's answer came (more than the provider's own `stream-start`). */
  answered = false;

  /** The text or reasoning part `id` names, started when a delta comes before its start. */
  joined(type: Joined['type'], id: string, providerMetadata?: SharedV3ProviderMetadata): Joined {
    const key = `${type}:${id}`;
    let part = this.#open.get(key);
    if (part === undefined) {
      part = { type, text: '', ...(providerMetadata ? { providerMetadata } : {}) } as Joined;
      this.#open.set(key, part);
      this.content.push(part);
    }
    return part;
  }

  end(type: Joined['type'], id: string): void {
    this.#open.delete(`${type}:${id}`);
  }
}

/** Takes one part of the stream into `answer`; a text delta also goes to `onText`. */
function take(answer: GatheredAnswer, part: LanguageModelV3StreamPart, onText: (delta: string) => void): void {
  if (part.type !== 'stream-start' && part.type !== 'raw' && part.type !== 'error') answer.answered = true;
  switch (part.type) {
    case 'stream-start':
      answer.warnings = part.warnings;
      return;
    case 'text-start':
    case 'reasoning-start':
      answer.joined(part.type === 'text-start' ? 'text' : 'reasoning', part.id, part.providerMetadata);
      return;
    case 'text-delta':
      answer.joined('text', part.id).text += part.delta;
      if (part.delta !== '') onText(part.delta);
      return;
    case 'reasoning-delta':
      answer.joined('reasoning', part.id).text += part.delta;
      return;
    case 'text-end':
    case 'reasoning-end':
      answer.end(part.type === 'text-end' ? 'text' : 'reasoning', part.id);
      return;
    case 'tool-call':
    case 'tool-result':
    case 'tool-approval-request':
    case 'file':
    case 'source':
      answer.content.push(part);
      return;
    case 'response-metadata': {
      const { type: _type, ...metadata } = part;
      answer.metadata = { ...answer.metadata, ...metadata };
      return;
    }
    case 'finish':
      answer.finish = { finishReason: part.finishReason, usage: part.usage };
      answer.providerMetadata = part.providerMetadata;
      return;
    case 'error':
      throw part.error;
    default:
      // tool-input-* (the tool call part carries the whole input) and raw chunks say nothing the result keeps.
      return;
  }
}

/**
 * A stream that carried nothing of an answer, from a 200 that was not `text/event-stream`: the endpoint is no model
 * stream, which no retry mends (a stream cut before its first event still says `text/event-stream`).
 */
function notAModelStream(
  model: LanguageModelV3,
  answer: GatheredAnswer,
  headers: Record<string, string | undefined> | undefined,
  cause?: unknown,
): NotAModelStreamError | undefined {
  if (answer.answered || headers === undefined) return undefined;
  const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  if (contentType?.toLowerCase().includes('text/event-stream')) return undefined;
  return new NotAModelStreamError(model.modelId, { ...(contentType ? { contentType } : {}), cause });
}

/**
 * @example
 * const result = await generateByStreaming(model, options, (delta) => process.stdout.write(delta));
 */
export async function generateByStreaming(
  model: LanguageModelV3,
  options: LanguageModelV3CallOptions,
  onText: (delta: string) => void,
): Promise<LanguageModelV3GenerateResult> {
  const { stream, request, response } = await model.doStream(options);
  const answer = new GatheredAnswer();
  const reader = stream.getReader();
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) take(answer, read.value, onText);
  } catch (error) {
    throw notAModelStream(model, answer, response?.headers, error) ?? error;
  } finally {
    reader.releaseLock();
  }
  if (answer.finish === undefined) {
    throw notAModelStream(model, answer, response?.headers) ?? new StreamEndedEarlyError(model.modelId);
  }
  return {
    content: answer.content,
    ...answer.finish,
    ...(answer.providerMetadata ? { providerMetadata: answer.providerMetadata } : {}),
    warnings: answer.warnings,
    ...(request ? { request } : {}),
    response: { ...answer.metadata, ...(response?.headers ? { headers: response.headers } : {}) },
  };
}
