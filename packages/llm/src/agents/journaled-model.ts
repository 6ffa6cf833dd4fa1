/**
 * A language model whose answers are kept by the step that asks: each `doGenerate` runs through a function the agent
 * gives (a `HandlerContext.memo` under the call's id), with the answer in a JSON form a journal can hold and a resumed
 * run can hand back; that function may have another model answer the same call instead (an agent falling back). With
 * `onText`, the answer is made by streaming and each piece of its text is handed over as it arrives; a kept answer
 * handed back is not streamed again. `doStream` goes to the model unchanged: the agent loop only generates.
 */
import type { LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3GenerateResult } from '@ai-sdk/provider';
import { generateByStreaming } from './generate-by-streaming.js';
import { ModelCallError } from './model-call-error.js';

/** A generate result as JSON: what the loop reads of it (the raw request and response bodies are left out). */
export interface StoredGenerateResult {
  content: LanguageModelV3GenerateResult['content'];
  finishReason: LanguageModelV3GenerateResult['finishReason'];
  usage: LanguageModelV3GenerateResult['usage'];
  providerMetadata?: LanguageModelV3GenerateResult['providerMetadata'];
  warnings: LanguageModelV3GenerateResult['warnings'];
  response?: { id?: string; modelId?: string; timestamp?: string };
}

/** Another model asked the same call instead (its own longest answer, when it has one). */
export interface OtherModel {
  model: LanguageModelV3;
  maxOutputTokens?: number | undefined;
}

/** Makes the answer: of the model wrapped, or of `other`. */
export type GenerateAnswer = (other?: OtherModel) => Promise<StoredGenerateResult>;

export type KeepAnswer = (generate: GenerateAnswer) => Promise<StoredGenerateResult>;

/** The JSON form of `result`: the same whether it was just made or read back from a journal. */
export function storedResult(result: LanguageModelV3GenerateResult): StoredGenerateResult {
  const { content, finishReason, usage, providerMetadata, warnings, response } = result;
  const kept = {
    content,
    finishReason,
    usage,
    providerMetadata,
    warnings,
    response: response && {
      id: response.id,
      modelId: response.modelId,
      timestamp: response.timestamp?.toISOString(),
    },
  };
  return JSON.parse(JSON.stringify(kept)) as StoredGenerateResult;
}

function revived(stored: StoredGenerateResult): LanguageModelV3GenerateResult {
  const { response, ...rest } = stored;
  const timestamp = response?.timestamp === undefined ? undefined : new Date(response.timestamp);
  return { ...rest, response: response && { ...response, timestamp } };
}

/**
 * @example
 * const kept = journaledModel(model, (generate) => context.memo('model-1', generate));
 */
export function journaledModel(
  model: LanguageModelV3,
  keep: KeepAnswer,
  onText?: (delta: string) => void,
): LanguageModelV3 {
  return {
    specificationVersion: 'v3',
    provider: model.provider,
    modelId: model.modelId,
    supportedUrls: model.supportedUrls,
    doGenerate: async (options: LanguageModelV3CallOptions) =>
      revived(
        await keep(async (other) => {
          const asked = other?.model ?? model;
          const callOptions =
            other?.maxOutputTokens === undefined ? options : { ...options, maxOutputTokens: other.maxOutputTokens };
          try {
            const result = onText ? generateByStreaming(asked, callOptions, onText) : asked.doGenerate(callOptions);
            return storedResult(await result);
          } catch (error) {
            throw ModelCallError.from(asked.modelId, error);
          }
        }),
      ),
    doStream: (options: LanguageModelV3CallOptions) => model.doStream(options),
  };
}
