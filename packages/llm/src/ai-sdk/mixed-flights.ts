/**
 * Generate and stream calls with the same exact key share one provider call, whichever came first: a generate call
 * that finds a streamed miss in flight reads that stream to its end and answers with what it collected; a streamed
 * call that finds a generate call in flight waits for its answer and replays it as stream parts. Either way the
 * follower is counted once, as a coalesced hit, and carries `providerMetadata.baton.tier: 'coalesced'`.
 */
import type { LanguageModelV3, LanguageModelV3GenerateResult, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import type { CacheRequest } from '@baton/cache';
import type { EnhanceRuntime, RunResult } from '../runtime/enhance-runtime.js';
import { type CacheHit, cachedGenerateResult, toCacheResponse, toCacheUsage } from './generate-result.js';
import type { SharedStream } from './shared-stream.js';
import { StreamEndedEarlyError } from './stream-ended-early-error.js';
import { collectStream, type FinishedStream, replayStream } from './stream-parts.js';

type StreamResult = Awaited<ReturnType<LanguageModelV3['doStream']>>;

/** A streamed miss in progress: the provider's response and its parts, shared by identical calls that follow. */
export interface StreamFlight {
  live: StreamResult;
  shared: SharedStream<LanguageModelV3StreamPart>;
  /** The entry the answer was stored as, set before the `finish` part is passed on. */
  entryId: string | undefined;
}

const coalescedHit = (response: CacheHit['response'], usage: CacheHit['usage'], entryId: string | undefined) =>
  ({ source: 'cache', tier: 'coalesced', similarity: 1, entryId, checks: [], response, usage }) satisfies CacheHit;

/** Reads a streamed miss to its end, for a generate call that joined it; fails as the stream fails. */
export async function generateFromStreamFlight(
  runtime: EnhanceRuntime,
  request: CacheRequest,
  running: Promise<StreamFlight>,
  modelId: string,
): Promise<LanguageModelV3GenerateResult> {
  const started = performance.now();
  try {
    const flight = await running;
    let finished: FinishedStream | undefined;
    let failure: { error: unknown } | undefined;
    const stream = collectStream(flight.shared.subscribe(), {
      modelId,
      onFinish: async (result) => {
        finished = result;
      },
      onError: (error) => {
        failure = { error };
      },
    });
    const reader = stream.getReader();
    while (!(await reader.read()).done) {}
    if (failure) throw failure.error;
    if (!finished) throw new StreamEndedEarlyError(modelId);
    const usage = toCacheUsage(finished.usage);
    runtime.coalesced(request, started, usage, flight.entryId);
    const response = toCacheResponse(finished.content, finished.finishReason);
    const result = cachedGenerateResult(coalescedHit(response, usage, flight.entryId), modelId);
    return { ...result, finishReason: finished.finishReason };
  } catch (error) {
    runtime.fail(request, error, started);
    throw error;
  }
}

/** Replays the answer of a generate call in flight, for a streamed call that joined it. */
export async function streamFromGenerateFlight(
  runtime: EnhanceRuntime,
  request: CacheRequest,
  running: Promise<RunResult>,
  started: number,
  modelId: string,
): Promise<StreamResult> {
  let outcome: RunResult;
  try {
    outcome = await running;
  } catch (error) {
    runtime.fail(request, error, started);
    throw error;
  }
  runtime.coalesced(request, started, outcome.usage, outcome.entryId);
  const copy = JSON.parse(JSON.stringify({ response: outcome.response, usage: outcome.usage ?? null }));
  return { stream: replayStream(coalescedHit(copy.response, copy.usage ?? undefined, outcome.entryId), modelId) };
}
