/**
 * An embedder for any OpenAI-compatible `POST {baseURL}/embeddings` endpoint (OpenAI, Ollama, vLLM, TEI, LM Studio).
 * Vectors are L2-normalized on arrival so cosine similarity is a dot product, whatever the server returns.
 */
import { ValidationError } from '@baton/core';
import { EmbeddingFailedError } from '../errors.js';
import { type Embedder, normalize } from './embedder.js';

export interface OpenAIEmbedderOptions {
  /** Base URL including the version path, e.g. `http://127.0.0.1:11434/v1`. */
  baseURL: string;
  /** Model name sent in the request body. */
  model: string;
  /** Vector size the model returns; every response is checked against it. */
  dimension: number;
  /** Sent as `Authorization: Bearer <apiKey>` when given. */
  apiKey?: string;
  /** Extra request headers. @default {} */
  headers?: Record<string, string>;
  /** Largest number of inputs per request. @default 128 */
  maxBatchSize?: number;
  /** Per-request timeout. @default 30000 */
  timeoutMs?: number;
  /** `fetch` implementation. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/**
 * @example
 * const embedder = createOpenAIEmbedder({ baseURL: 'http://127.0.0.1:11434/v1', model: 'nomic-embed-text', dimension: 768 });
 */
export function createOpenAIEmbedder(options: OpenAIEmbedderOptions): Embedder {
  const problems = [];
  if (!/^https?:\/\//.test(options.baseURL ?? ''))
    problems.push({
      path: 'baseURL',
      code: 'url',
      message: `must be an http(s) URL, got ${JSON.stringify(options.baseURL)}`,
    });
  if (!options.model) problems.push({ path: 'model', code: 'required', message: 'a model name is required' });
  if (!Number.isInteger(options.dimension) || options.dimension <= 0)
    problems.push({
      path: 'dimension',
      code: 'positive-integer',
      message: `must be a positive integer, got ${options.dimension}`,
    });
  if (problems.length > 0) throw new ValidationError('invalid OpenAI embedder options', problems);
  const url = `${options.baseURL.replace(/\/+$/, '')}/embeddings`;
  const id = `openai:${options.baseURL}:${options.model}:${options.dimension}`;
  const maxBatchSize = options.maxBatchSize ?? 128;
  const doFetch = options.fetch ?? globalThis.fetch;

  const embedBatch = async (input: string[]): Promise<Float32Array[]> => {
    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
          ...options.headers,
        },
        body: JSON.stringify({ model: options.model, input, encoding_format: 'float' }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (cause) {
      throw new EmbeddingFailedError(id, `request to ${url} failed: ${(cause as Error).message}`, {
        cause,
        retryable: true,
      });
    }
    if (!response.ok) {
      const body = (await response.text()).slice(0, 500);
      throw new EmbeddingFailedError(id, `${url} answered HTTP ${response.status}: ${body}`, {
        status: response.status,
        retryable: response.status === 429 || response.status >= 500,
      });
    }
    const payload = (await response.json()) as { data?: { index?: number; embedding?: unknown }[] };
    if (!Array.isArray(payload.data) || payload.data.length !== input.length) {
      throw new EmbeddingFailedError(
        id,
        `expected ${input.length} embeddings in "data", got ${payload.data?.length ?? 'none'}`,
        {},
      );
    }
    const ordered = [...payload.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return ordered.map((item, position) => {
      const embedding = item.embedding;
      if (!Array.isArray(embedding) || embedding.length !== options.dimension) {
        const size = Array.isArray(embedding) ? embedding.length : typeof embedding;
        throw new EmbeddingFailedError(id, `embedding ${position} has size ${size}, expected ${options.dimension}`, {});
      }
      return normalize(Float32Array.from(embedding as number[]));
    });
  };

  return {
    id,
    dimension: options.dimension,
    async embed(texts) {
      const results: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += maxBatchSize) {
        results.push(...(await embedBatch(texts.slice(start, start + maxBatchSize))));
      }
      return results;
    },
  };
}
