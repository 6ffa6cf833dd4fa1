/**
 * A batched target's handler: each call joins the target's current batch (DataLoader, no caching), which leaves
 * `maxWaitMs` after its first call or holds `maxSize` calls, as one `batch.handler(inputs)` call. Each caller gets its
 * own output or Error; a caller aborted before its batch leaves is not sent; the batch's signal aborts only once every
 * caller has; usage the batch reports is split evenly among the callers.
 */
import DataLoader from 'dataloader';
import { BatchResultError } from '../errors/batch-result-error.js';
import type { BatchContext, BatchHandler, Handler, HandlerContext, Usage } from './target.js';

interface BatchCall {
  input: unknown;
  context: HandlerContext;
}

export interface BatchSettings {
  maxSize: number;
  maxWaitMs: number;
  handler: BatchHandler;
}

/**
 * @example
 * const handler = batchedHandler('geocode@1.0.0', { maxSize: 50, maxWaitMs: 5, handler: geocodeMany });
 * await Promise.all([handler(a, contextA), handler(b, contextB)]); // one geocodeMany([a, b]) call
 */
export function batchedHandler(targetId: string, settings: BatchSettings): Handler {
  // The batch being filled: DataLoader schedules each new batch once; a full one is sent at once, not at its timer.
  let filling: { size: number; timer: ReturnType<typeof setTimeout>; dispatch: () => void } | undefined;
  const loader = new DataLoader<BatchCall, unknown>((calls) => runBatch(targetId, settings.handler, calls), {
    cache: false,
    maxBatchSize: settings.maxSize,
    batchScheduleFn: (dispatch) => {
      const batch = {
        size: 0,
        dispatch,
        timer: setTimeout(() => {
          if (filling === batch) filling = undefined;
          dispatch();
        }, settings.maxWaitMs),
      };
      filling = batch;
    },
  });
  return (input, context) => {
    const answer = loader.load({ input, context });
    const batch = filling;
    if (batch && ++batch.size >= settings.maxSize) {
      filling = undefined;
      clearTimeout(batch.timer);
      batch.dispatch();
    }
    return answer;
  };
}

async function runBatch(
  targetId: string,
  handler: BatchHandler,
  calls: readonly BatchCall[],
): Promise<(unknown | Error)[]> {
  const answers: (unknown | Error)[] = calls.map((call) => (call.context.signal.aborted ? abortReason(call) : null));
  const live = calls.flatMap((call, i) => (call.context.signal.aborted ? [] : [i]));
  if (live.length === 0) return answers;
  const callers = live.map((i) => (calls[i] as BatchCall).context);
  const { signal, release } = everyAborted(callers.map((caller) => caller.signal));
  const context: BatchContext = {
    signal,
    callers,
    reportUsage: (usage) => {
      splitUsage(usage, callers.length).forEach((share, i) => {
        (callers[i] as HandlerContext).reportUsage(share);
      });
    },
  };
  try {
    const outputs = await handler(
      live.map((i) => (calls[i] as BatchCall).input),
      context,
    );
    if (!Array.isArray(outputs) || outputs.length !== live.length) {
      throw new BatchResultError(targetId, live.length, outputs);
    }
    live.forEach((at, i) => {
      answers[at] = outputs[i];
    });
    return answers;
  } finally {
    release();
  }
}

function abortReason(call: BatchCall): Error {
  const reason = call.context.signal.reason;
  return reason instanceof Error ? reason : new Error(String(reason));
}

/** A signal that aborts once all of `signals` have; `release` stops listening. */
function everyAborted(signals: readonly AbortSignal[]): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  let left = signals.length;
  const onAbort = () => {
    left--;
    if (left === 0) controller.abort(signals[signals.length - 1]?.reason);
  };
  for (const signal of signals) signal.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    release: () => {
      for (const signal of signals) signal.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * `usage` split into `parts` shares that add up to it: whole token counts stay whole (the first shares take the
 * remainder), cost is divided.
 *
 * @example
 * splitUsage({ tokens: 10, costUsd: 0.3 }, 3); // tokens 4, 3, 3; costUsd 0.1 each
 */
export function splitUsage(usage: Usage, parts: number): Usage[] {
  const shares: Usage[] = Array.from({ length: parts }, () => ({}));
  for (const field of ['tokens', 'inputTokens', 'outputTokens', 'costUsd'] as const) {
    const total = usage?.[field];
    if (typeof total !== 'number') continue;
    const whole = field !== 'costUsd' && Number.isInteger(total) && total >= 0;
    const base = whole ? Math.floor(total / parts) : total / parts;
    const remainder = whole ? total - base * parts : 0;
    shares.forEach((share, i) => {
      share[field] = base + (i < remainder ? 1 : 0);
    });
  }
  return shares;
}
