/**
 * Baton's AI SDK v6 language-model middleware: every generate and stream call goes through the semantic cache, the
 * breaker, context injection, metrics and the recorder of one `EnhanceRuntime`. A hit never reaches the provider; a
 * streamed hit replays as a stream; an answer is stored only once the provider finished it (`stop`).
 */
import type { LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3Middleware } from '@ai-sdk/provider';
import type { RelatedAnswer } from '@baton/cache';
import { renderContext } from '../context/render-context.js';
import type { EnhanceRuntime } from '../runtime/enhance-runtime.js';
import { toCacheRequest, withInjectedContext } from './call-request.js';
import { cachedGenerateResult, toCacheResponse, toCacheUsage } from './generate-result.js';
import { collectStream, replayStream } from './stream-parts.js';

function injected(runtime: EnhanceRuntime, params: LanguageModelV3CallOptions, related: RelatedAnswer[]) {
  if (related.length === 0) return undefined;
  return withInjectedContext(params, renderContext(runtime.config.contextInjectionTemplate, related));
}

/**
 * @example
 * const model = wrapLanguageModel({ model: openai('gpt-4o-mini'), middleware: batonMiddleware(runtime) });
 */
export function batonMiddleware(runtime: EnhanceRuntime): LanguageModelV3Middleware {
  return {
    specificationVersion: 'v3',
    async wrapGenerate({ doGenerate, params, model }) {
      const request = toCacheRequest(params, model, runtime);
      let result: Awaited<ReturnType<LanguageModelV3['doGenerate']>> | undefined;
      const outcome = await runtime.run(request, async (related) => {
        const withContext = injected(runtime, params, related);
        result = await (withContext ? model.doGenerate(withContext) : doGenerate());
        return { response: toCacheResponse(result.content, result.finishReason), usage: toCacheUsage(result.usage) };
      });
      // A call that waited for an identical call's answer (coalesced) gets it in cached form, like any hit.
      return outcome.source === 'cache' ? cachedGenerateResult(outcome, model.modelId) : result!;
    },

    async wrapStream({ doStream, params, model }) {
      const request = toCacheRequest(params, model, runtime);
      const started = performance.now();
      const found = await runtime.lookup(request, started);
      if (found.kind === 'hit') return { stream: replayStream({ source: 'cache', ...found }, model.modelId) };
      const kind = found.kind;
      const reason = found.kind === 'bypass' ? found.reason : undefined;
      const related = kind === 'miss' ? await runtime.related(request) : [];
      const withContext = injected(runtime, params, related);
      let live: Awaited<ReturnType<LanguageModelV3['doStream']>>;
      try {
        live = await runtime.guarded(async () => (withContext ? model.doStream(withContext) : doStream()));
      } catch (error) {
        runtime.fail(request, error, started);
        throw error;
      }
      const stream = collectStream(
        live.stream,
        (finished) =>
          runtime.settle(
            request,
            kind,
            { response: toCacheResponse(finished.content, finished.finishReason), usage: toCacheUsage(finished.usage) },
            started,
            kind === 'bypass' ? { reason } : { injectedContext: related.length },
          ),
        (error) => runtime.fail(request, error, started),
      );
      return { ...live, stream };
    },
  };
}
