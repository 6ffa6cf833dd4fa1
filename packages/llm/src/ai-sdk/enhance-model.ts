/** `enhance()` for an AI SDK v6 language model: the model wrapped with Baton's middleware, plus its controls. */
import type { LanguageModelV3 } from '@ai-sdk/provider';
import { wrapLanguageModel } from 'ai';
import type { EnhancedControls, EnhanceRuntime } from '../runtime/enhance-runtime.js';
import { batonMiddleware } from './cache-middleware.js';
import { toolSearchMiddleware } from './tool-search-middleware.js';

export type EnhancedModel = LanguageModelV3 & EnhancedControls;

export function isLanguageModel(target: unknown): target is LanguageModelV3 {
  const model = target as Partial<LanguageModelV3> | null;
  return (
    typeof model === 'object' &&
    model !== null &&
    model.specificationVersion === 'v3' &&
    typeof model.doGenerate === 'function' &&
    typeof model.doStream === 'function'
  );
}

export function enhanceModel(model: LanguageModelV3, runtime: EnhanceRuntime): EnhancedModel {
  const { toolSearch } = runtime.config;
  // Tools are chosen first, so the cache keys the call the provider receives.
  const middleware = toolSearch
    ? [toolSearchMiddleware(toolSearch), batonMiddleware(runtime)]
    : batonMiddleware(runtime);
  const wrapped = wrapLanguageModel({ model, middleware });
  return Object.assign(wrapped, runtime.controls());
}
