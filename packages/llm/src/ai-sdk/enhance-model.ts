/** `enhance()` for an AI SDK v6 language model: the model wrapped with Baton's middleware, plus its controls. */
import type { LanguageModelV3 } from '@ai-sdk/provider';
import { wrapLanguageModel } from 'ai';
import type { EnhancedControls, EnhanceRuntime } from '../runtime/enhance-runtime.js';
import { batonMiddleware } from './cache-middleware.js';

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
  const wrapped = wrapLanguageModel({ model, middleware: batonMiddleware(runtime) });
  return Object.assign(wrapped, runtime.controls());
}
