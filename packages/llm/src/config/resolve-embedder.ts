/**
 * Turns an embedder name into an embedder: `sif` (the offline default), `openai:<model>:<dimension>` for any
 * OpenAI-compatible `/embeddings` endpoint (base URL from `OPENAI_BASE_URL`, key from `OPENAI_API_KEY`), or
 * `onnx:<model directory>:<dimension>` for a local Transformers.js model. A missing model is an error, never a fallback.
 */
import {
  createOnnxEmbedder,
  createOpenAIEmbedder,
  createSifEmbedder,
  type Embedder,
  withEmbeddingCache,
} from '@baton/cache';
import { type Problem, ValidationError } from '@baton/core';

export const EMBEDDER_NAMES = 'sif, openai:<model>:<dimension> or onnx:<model directory>:<dimension>';

/** What is wrong with an embedder name, or undefined when it names a known embedder (nothing is loaded). */
export function embedderNameProblem(name: string, path = 'embeddingModel'): Problem | undefined {
  if (name === 'sif') return undefined;
  const kind = ['openai:', 'onnx:'].find((prefix) => name.startsWith(prefix));
  const why = kind
    ? splitDimension(name.slice(kind.length))
      ? undefined
      : 'does not end with a positive integer dimension'
    : 'is not a known embedder';
  return why
    ? { path, code: 'embedder', message: `${JSON.stringify(name)} ${why}; expected ${EMBEDDER_NAMES}` }
    : undefined;
}

function splitDimension(rest: string): { value: string; dimension: number } | undefined {
  const at = rest.lastIndexOf(':');
  const dimension = Number(rest.slice(at + 1));
  if (at <= 0 || !Number.isInteger(dimension) || dimension <= 0) return undefined;
  return { value: rest.slice(0, at), dimension };
}

/**
 * @example
 * const embedder = resolveEmbedder('openai:nomic-embed-text:768', { env: { OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' } });
 */
export function resolveEmbedder(name: string, options: { path?: string; env?: NodeJS.ProcessEnv } = {}): Embedder {
  const problem = embedderNameProblem(name, options.path);
  if (problem) throw new ValidationError('invalid embedder', [problem]);
  const env = options.env ?? process.env;
  if (name.startsWith('openai:')) {
    const { value: model, dimension } = splitDimension(name.slice('openai:'.length))!;
    const baseURL = env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1';
    return withEmbeddingCache(createOpenAIEmbedder({ baseURL, model, dimension, apiKey: env.OPENAI_API_KEY }));
  }
  if (name.startsWith('onnx:')) {
    const { value: modelDirectory, dimension } = splitDimension(name.slice('onnx:'.length))!;
    return withEmbeddingCache(createOnnxEmbedder({ modelDirectory, dimension }));
  }
  return withEmbeddingCache(createSifEmbedder());
}
