/**
 * Maps an AI SDK v6 call (`LanguageModelV3CallOptions`) to the cache's request: the model (provider and id), the
 * system prompt, the conversation, every generation parameter, the provider options (they change the answer:
 * reasoning effort, safety settings…), tools, tool choice, response format and the scope. Baton's own
 * `providerOptions.baton` is left out of the keys; its `scope`, when set, wins over the config's.
 */
import type { LanguageModelV3, LanguageModelV3CallOptions } from '@ai-sdk/provider';
import type { CacheRequest, CacheScope } from '@baton/cache';
import { ValidationError } from '@baton/core';
import { checkedScope } from '../config/cache-scope.js';
import type { EnhanceRuntime } from '../runtime/enhance-runtime.js';

const PARAMS = [
  'maxOutputTokens',
  'temperature',
  'topP',
  'topK',
  'stopSequences',
  'presencePenalty',
  'frequencyPenalty',
  'seed',
] as const;

/** Baton's own per-call options, under `providerOptions.baton`. */
const CALL_OPTIONS = ['scope'];

/** The call's own scope (`providerOptions.baton.scope`, checked), else the config's. */
export function callScope(params: LanguageModelV3CallOptions, runtime: EnhanceRuntime): CacheScope | undefined {
  const own = params.providerOptions?.baton as Record<string, unknown> | undefined;
  const unknown = Object.keys(own ?? {}).filter((key) => !CALL_OPTIONS.includes(key));
  if (unknown.length > 0) {
    throw new ValidationError(
      'invalid providerOptions.baton',
      unknown.map((key) => ({
        path: `providerOptions.baton.${key}`,
        code: 'unknown-option',
        message: `unknown option ${JSON.stringify(key.slice(0, 60))} (known: ${CALL_OPTIONS.join(', ')})`,
      })),
    );
  }
  const explicit = checkedScope(own?.scope, 'providerOptions.baton.scope');
  return explicit ?? runtime.scopeFor({ kind: 'model', providerOptions: params.providerOptions });
}

export function toCacheRequest(
  params: LanguageModelV3CallOptions,
  model: LanguageModelV3,
  runtime: EnhanceRuntime,
): CacheRequest {
  const system = params.prompt
    .filter((message) => message.role === 'system')
    .map((message) => message.content)
    .join('\n');
  const messages = params.prompt
    .filter((message) => message.role !== 'system')
    .map((message) => ({ role: message.role, content: message.content }));
  const generation: Record<string, unknown> = {};
  for (const name of PARAMS) if (params[name] !== undefined) generation[name] = params[name];
  const { baton: _baton, ...providerOptions } = params.providerOptions ?? {};
  if (Object.keys(providerOptions).length > 0) generation.providerOptions = providerOptions;
  return {
    model: `${model.provider}:${model.modelId}`,
    messages,
    params: generation,
    system: system === '' ? undefined : system,
    tools: params.tools,
    toolChoice: params.toolChoice,
    responseFormat: params.responseFormat,
    scope: callScope(params, runtime),
  };
}

/** The call options with `context` added as a system message after the existing ones. */
export function withInjectedContext(params: LanguageModelV3CallOptions, context: string): LanguageModelV3CallOptions {
  const firstOther = params.prompt.findIndex((message) => message.role !== 'system');
  const at = firstOther === -1 ? params.prompt.length : firstOther;
  const prompt = [...params.prompt];
  prompt.splice(at, 0, { role: 'system', content: context });
  return { ...params, prompt };
}
