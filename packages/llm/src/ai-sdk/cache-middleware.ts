/**
 * Baton's AI SDK v6 language-model middleware: every generate and stream call goes through the semantic cache, the
 * breaker, context injection, metrics and the recorder of one `EnhanceRuntime`. A hit never reaches the provider; a
 * streamed hit replays as a stream; an answer is stored only once the provider finished it (`stop`). Concurrent
 * identical misses make one provider call: generate calls share its result, streamed calls replay its stream parts,
 * and a generate and a stream call with the same key share one too (see `mixed-flights.ts`).
 */
import type { LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3Middleware } from '@ai-sdk/provider';
import { type CacheRequest, exactKey, type RelatedAnswer } from '@baton/cache';
import { renderContext } from '../context/render-context.js';
import type { EnhanceRuntime, RunResult } from '../runtime/enhance-runtime.js';
import { toCacheRequest, withInjectedContext } from './call-request.js';
import { cachedGenerateResult, hitMetadata, toCacheResponse, toCacheUsage, ZERO_USAGE } from './generate-result.js';
import { generateFromStreamFlight, type StreamFlight, streamFromGenerateFlight } from './mixed-flights.js';
import { SharedStream } from './shared-stream.js';
import { collectStream, replayStream } from './stream-parts.js';

type StreamResult = Awaited<ReturnType<LanguageModelV3['doStream']>>;

function injected(runtime: EnhanceRuntime, params: LanguageModelV3CallOptions, related: RelatedAnswer[]) {
  if (related.length === 0) return undefined;
  return withInjectedContext(params, renderContext(runtime.config.contextInjectionTemplate, related));
}

/** Calls the provider for a streamed call the cache could not answer, collecting the answer to store it. */
async function streamFromProvider(
  runtime: EnhanceRuntime,
  request: CacheRequest,
  started: number,
  kind: 'miss' | 'bypass',
  reason: string | undefined,
  call: { params: LanguageModelV3CallOptions; model: LanguageModelV3; doStream: () => PromiseLike<StreamResult> },
  onStored: (entryId: string | undefined) => void = () => {},
): Promise<StreamResult> {
  try {
    const related = kind === 'miss' ? await runtime.related(request) : [];
    const withContext = injected(runtime, call.params, related);
    const { started: live, settle } = await runtime.guardedStream(async () =>
      withContext ? call.model.doStream(withContext) : call.doStream(),
    );
    const stream = collectStream(live.stream, {
      modelId: call.model.modelId,
      onFinish: async (finished) => {
        settle.ok();
        const computed = {
          response: toCacheResponse(finished.content, finished.finishReason),
          usage: toCacheUsage(finished.usage),
        };
        const extra = kind === 'bypass' ? { reason } : { injectedContext: related.length };
        try {
          onStored(await runtime.settle(request, kind, computed, started, extra));
        } catch (error) {
          runtime.fail(request, error, started);
          throw error;
        }
      },
      onError: (error) => {
        settle.fail(error);
        runtime.fail(request, error, started);
      },
      // The reader stopped reading: nothing the target did wrong.
      onCancel: () => settle.ok(),
    });
    return { ...live, stream };
  } catch (error) {
    runtime.fail(request, error, started);
    throw error;
  }
}

/** A follower's copy of the leader's stream: the same parts, with a finish that says the answer was shared. */
async function followFlight(
  runtime: EnhanceRuntime,
  request: CacheRequest,
  started: number,
  running: Promise<StreamFlight>,
): Promise<StreamResult> {
  let flight: StreamFlight;
  try {
    flight = await running;
  } catch (error) {
    runtime.fail(request, error, started);
    throw error;
  }
  const stream = flight.shared.subscribe({
    map: (part) => {
      if (part.type === 'error') runtime.fail(request, part.error, started);
      if (part.type !== 'finish') return part;
      const originalUsage = toCacheUsage(part.usage);
      runtime.coalesced(request, started, originalUsage, flight.entryId);
      const hit = {
        tier: 'coalesced' as const,
        similarity: 1,
        entryId: flight.entryId,
        checks: [],
        usage: originalUsage,
      };
      return { ...part, usage: ZERO_USAGE, providerMetadata: hitMetadata(hit) };
    },
    onError: (error) => runtime.fail(request, error, started),
  });
  return { ...flight.live, stream };
}

/**
 * @example
 * const model = wrapLanguageModel({ model: openai('gpt-4o-mini'), middleware: batonMiddleware(runtime) });
 */
export function batonMiddleware(runtime: EnhanceRuntime): LanguageModelV3Middleware {
  const streamFlights = new Map<string, Promise<StreamFlight>>();
  /** Generate calls in progress by exact key, for streamed calls with the same key to join. */
  const generateFlights = new Map<string, Promise<RunResult>>();
  return {
    specificationVersion: 'v3',
    async wrapGenerate({ doGenerate, params, model }) {
      const request = toCacheRequest(params, model, runtime);
      const key = exactKey(request);
      const streaming = streamFlights.get(key);
      if (streaming) return generateFromStreamFlight(runtime, request, streaming, model.modelId);
      let result: Awaited<ReturnType<LanguageModelV3['doGenerate']>> | undefined;
      const running = runtime.run(request, async (related) => {
        const withContext = injected(runtime, params, related);
        result = await (withContext ? model.doGenerate(withContext) : doGenerate());
        return { response: toCacheResponse(result.content, result.finishReason), usage: toCacheUsage(result.usage) };
      });
      if (!generateFlights.has(key)) {
        generateFlights.set(key, running);
        const forget = () => generateFlights.get(key) === running && generateFlights.delete(key);
        running.then(forget, forget);
      }
      const outcome = await running;
      // A call that waited for an identical call's answer (coalesced) gets it in cached form, like any hit.
      return outcome.source === 'cache' ? cachedGenerateResult(outcome, model.modelId) : result!;
    },

    async wrapStream({ doStream, params, model }) {
      const request = toCacheRequest(params, model, runtime);
      const started = performance.now();
      const found = await runtime.lookup(request, started);
      if (found.kind === 'hit') return { stream: replayStream({ source: 'cache', ...found }, model.modelId) };
      const call = { params, model, doStream };
      if (found.kind === 'bypass') return streamFromProvider(runtime, request, started, 'bypass', found.reason, call);
      const key = exactKey(request);
      const generating = generateFlights.get(key);
      if (generating) return streamFromGenerateFlight(runtime, request, generating, started, model.modelId);
      const running = streamFlights.get(key);
      if (running) return followFlight(runtime, request, started, running);
      const forget = () => {
        if (streamFlights.get(key) === flight) streamFlights.delete(key);
      };
      const flight = (async (): Promise<StreamFlight> => {
        const state: { entryId: string | undefined } = { entryId: undefined };
        const live = await streamFromProvider(runtime, request, started, 'miss', undefined, call, (entryId) => {
          state.entryId = entryId;
        });
        const shared = new SharedStream(live.stream, forget);
        return Object.assign(state, { live, shared });
      })();
      streamFlights.set(key, flight);
      flight.catch(forget);
      const { live, shared } = await flight;
      return { ...live, stream: shared.subscribe() };
    },
  };
}
