/**
 * `enhance(target, config)`: one line adds Baton's semantic cache, circuit breaker, context injection, metrics and
 * recorder to an AI SDK v6 language model, a LangGraph.js compiled graph, or any async function.
 */
import { resolve as resolvePath } from 'node:path';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import { ValidationError } from '@baton/core';
import { type EnhancedModel, enhanceModel, isLanguageModel } from './ai-sdk/enhance-model.js';
import type { EnhanceConfig } from './config/enhance-config.js';
import { resolveConfig } from './config/resolve-config.js';
import { type AsyncFunction, type EnhancedFunction, enhanceFunction } from './function/enhance-function.js';
import { type EnhancedGraph, enhanceGraph, type GraphLike, isGraph } from './langgraph/enhance-graph.js';
import { EnhanceRuntime } from './runtime/enhance-runtime.js';
import { claimFunctionIdentity, functionIdentity, graphIdentity } from './runtime/target-identity.js';

/**
 * @example
 * const model = enhance(createOpenAICompatible({ name: 'local', baseURL }).chatModel('llama3'), { cacheTtl: 600 });
 * const { text } = await generateText({ model, prompt: 'What does the premium plan cost?' });
 * console.log(model.getMetrics().hitRate);
 */
export function enhance(target: LanguageModelV3, config?: EnhanceConfig): EnhancedModel;
export function enhance<G extends GraphLike>(target: G, config?: EnhanceConfig): EnhancedGraph<G>;
export function enhance<F extends AsyncFunction>(target: F, config?: EnhanceConfig): EnhancedFunction<F>;
export function enhance(target: unknown, config: EnhanceConfig = {}): unknown {
  const resolved = resolveConfig(config);
  if (isLanguageModel(target)) {
    const name = `${target.provider}:${target.modelId}`;
    return enhanceModel(target, new EnhanceRuntime(resolved, name, name));
  }
  if ((isGraph(target) || typeof target === 'function') && resolved.enableContextInjection) {
    throw new ValidationError('context injection needs a model prompt', [
      {
        path: 'enableContextInjection',
        code: 'unsupported-target',
        message:
          `true, but ${isGraph(target) ? 'a graph' : 'a function'} has no prompt Baton can add related answers to; ` +
          'enable it on the enhanced model the graph or function calls, or read `cache.related(request)` yourself',
      },
    ]);
  }
  if ((isGraph(target) || typeof target === 'function') && resolved.toolSearch !== undefined) {
    throw new ValidationError('tool search needs a model call', [
      {
        path: 'toolSearch',
        code: 'unsupported-target',
        message: `set, but ${isGraph(target) ? 'a graph' : 'a function'} offers no tools to a model; enable it on the enhanced model the graph or function calls`,
      },
    ]);
  }
  if (isGraph(target)) {
    const name = (target as { name?: string }).name || 'graph';
    return enhanceGraph(target, new EnhanceRuntime(resolved, name, graphIdentity(target)));
  }
  if (typeof target === 'function') {
    // Without a name, the function is known by its source: in a store found by its address (the default file, Redis),
    // a second function of the same source needs one. A store given (or a memory one) is shared only as its owner
    // shares it.
    const where = resolved.store !== undefined ? undefined : (resolved.redisUrl ?? resolvePath(resolved.cachePath));
    const identity =
      resolved.name === undefined && where !== undefined
        ? claimFunctionIdentity(target, where)
        : functionIdentity(target);
    const runtime = new EnhanceRuntime(resolved, target.name || 'function', identity);
    return enhanceFunction(target as AsyncFunction, runtime);
  }
  const kind = typeof target === 'string' ? `the string ${JSON.stringify(target)}` : typeof target;
  throw new ValidationError('enhance() cannot wrap this target', [
    {
      path: 'target',
      code: 'unsupported-target',
      message: `got ${kind}; pass an AI SDK v6 LanguageModel object (not a model id string), a compiled LangGraph graph or an async function`,
    },
  ]);
}
