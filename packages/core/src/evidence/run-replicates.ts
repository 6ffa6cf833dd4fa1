/**
 * Runs the same work K times with bounded parallelism and bundles the results as evidence. Adaptive by default: only
 * the first two replicates start; when they agree the rest are never run, and only when they disagree (or one fails)
 * do the others start, `maxParallel` at a time. Without `adaptive`, up to `maxParallel` run at once from the start.
 *
 * No replicate outlives the call: on cancellation or a refused replicate, the in-flight ones get an aborted signal
 * and are awaited before the promise settles, so every `replicate-start` event has its `replicate-finish` and the
 * returned usage is complete. `run` must therefore honour its signal.
 */
import { BatonError } from '../errors/baton-error.js';
import { CancelledError } from '../errors/cancelled-error.js';
import { describeValue } from '../errors/describe-value.js';
import type { Problem } from '../errors/validation-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { Usage } from '../registry/target.js';
import { resolveDistance } from './distance.js';
import {
  buildEvidenceBundle,
  DEFAULT_EPSILON,
  type EvidenceBundle,
  type EvidenceBundleOptions,
  evidenceOptionProblems,
  type Replicate,
  type ReplicateError,
} from './evidence-bundle.js';

export interface ReplicateResult {
  output: unknown;
  usage?: Usage;
}

export type EvidenceEvent =
  | { type: 'replicate-start'; index: number }
  | { type: 'replicate-finish'; index: number; durationMs: number; usage?: Usage; error?: ReplicateError }
  | { type: 'bundle-ready'; confidence: number; ran: number; earlyStopped: boolean };

export interface RunReplicatesOptions extends Omit<EvidenceBundleOptions, 'k' | 'earlyStopped'> {
  /** How many replicates to run; an integer ≥ 1. */
  k: number;
  /**
   * How many replicates run at once; an integer ≥ 1. With `adaptive` the first two run alone, and this bounds the
   * rest once they disagree. @default k
   */
  maxParallel?: number;
  /** Run the first two replicates alone and stop there if they agree within `epsilon`. @default true */
  adaptive?: boolean;
  /** Cancels the whole call: in-flight replicates are aborted and it rejects with a `CancelledError`. */
  signal?: AbortSignal;
  /** Runs one replicate; should stop when `signal` aborts. */
  run: (index: number, signal: AbortSignal) => Promise<ReplicateResult>;
  /**
   * Called before each replicate starts; throwing (e.g. a budget refusal) stops the call with that error. The usage
   * in `replicate-finish` events tells it what the replicates so far have spent.
   */
  beforeReplicate?: (index: number) => void;
  /** Progress; a listener that throws stops the call like `beforeReplicate`. */
  onEvent?: (event: EvidenceEvent) => void;
}

export interface ReplicatesResult extends EvidenceBundle {
  /** Summed over the replicates in the bundle; `tokens` falls back to input + output tokens when not given. */
  usage: { tokens: number; costUsd: number };
}

interface Settled {
  replicate: Replicate;
  /** The thrown value, kept so a total failure rethrows the original error (retry policies match on it). */
  thrown?: unknown;
}

/**
 * Runs `run` up to `k` times and returns the evidence bundle with the summed usage. If every replicate fails, it
 * throws the error of the lowest-indexed one: with no output there is no evidence, and the caller treats it as the
 * step failing.
 *
 * @example
 * const result = await runReplicates({
 *   k: 3,
 *   epsilon: 0.2,
 *   run: async (index, signal) => ({ output: await summarize(text, { signal }), usage: { tokens: 420 } }),
 * });
 * result.consensus?.output; result.confidence; result.usage.tokens;
 */
export async function runReplicates(options: RunReplicatesOptions): Promise<ReplicatesResult> {
  const problems = optionProblems(options);
  if (problems.length > 0) throw new ValidationError('invalid runReplicates options', problems);
  if (options.signal?.aborted) throw new CancelledError(options.signal.reason);
  const { k, distance, embed, onEvent } = options;
  const epsilon = options.epsilon ?? DEFAULT_EPSILON;

  const { settled, earlyStopped } = await schedule(options, epsilon);
  const replicates = settled.map((entry) => entry.replicate);
  if (replicates.every((replicate) => replicate.error)) {
    throw [...settled].sort((a, b) => a.replicate.index - b.replicate.index)[0]!.thrown;
  }
  const bundle = await buildEvidenceBundle(replicates, { k, epsilon, earlyStopped, distance, embed });
  onEvent?.({ type: 'bundle-ready', confidence: bundle.confidence, ran: bundle.meta.ran, earlyStopped });
  return { ...bundle, usage: totalUsage(replicates) };
}

/** Starts replicates as slots free up, until all ran, the first two agreed, or something stopped the call. */
async function schedule(
  options: RunReplicatesOptions,
  epsilon: number,
): Promise<{ settled: Settled[]; earlyStopped: boolean }> {
  const { k, run, signal, beforeReplicate, onEvent } = options;
  const maxParallel = options.maxParallel ?? k;
  const controller = new AbortController();
  const running = new Map<number, Promise<Settled>>();
  const settled: Settled[] = [];
  let fatal: { error: unknown } | undefined;
  let earlyStopped = false;
  let next = 0;
  // Until the first two replicates are compared no third starts: if they agree, it would be wasted work.
  let comparing = (options.adaptive ?? true) && k > 2;
  const held = (): boolean => comparing && next >= 2;

  const stop = (error: unknown): void => {
    fatal ??= { error };
    controller.abort(error);
  };
  const emit = (event: EvidenceEvent): void => {
    try {
      onEvent?.(event);
    } catch (error) {
      stop(error);
    }
  };
  const onAbort = (): void => stop(new CancelledError(signal?.reason));
  signal?.addEventListener('abort', onAbort, { once: true });

  try {
    for (;;) {
      while (!fatal && !earlyStopped && next < k && running.size < maxParallel && !held()) {
        const index = next++;
        try {
          beforeReplicate?.(index);
        } catch (error) {
          stop(error);
          break;
        }
        emit({ type: 'replicate-start', index });
        running.set(index, runOne(index, run, controller.signal));
      }
      if (running.size === 0) break;
      const done = await Promise.race(running.values());
      running.delete(done.replicate.index);
      emit(finishEvent(done.replicate));
      settled.push(done);
      if (!comparing || (settled.length < 2 && !done.replicate.error)) continue;
      comparing = false;
      // Nothing else is running here: agreement simply means no further replicate starts.
      if (!fatal && (await firstTwoAgree(settled, options, epsilon, stop))) earlyStopped = true;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (fatal) throw fatal.error;
  return { settled, earlyStopped };
}

async function runOne(index: number, run: RunReplicatesOptions['run'], signal: AbortSignal): Promise<Settled> {
  const started = performance.now();
  try {
    const { output, usage } = await run(index, signal);
    return { replicate: { index, output, ...(usage && { usage }), durationMs: performance.now() - started } };
  } catch (thrown) {
    return { replicate: { index, error: describeError(thrown), durationMs: performance.now() - started }, thrown };
  }
}

async function firstTwoAgree(
  settled: readonly Settled[],
  options: RunReplicatesOptions,
  epsilon: number,
  stop: (error: unknown) => void,
): Promise<boolean> {
  const [a, b] = settled.map((entry) => entry.replicate);
  if (!a || !b || a.error || b.error) return false;
  try {
    const { distance } = await resolveDistance(options.distance ?? 'auto', {
      embed: options.embed,
      values: [a.output, b.output],
    });
    return (await distance(a.output, b.output)) <= epsilon;
  } catch (error) {
    stop(error);
    return false;
  }
}

function finishEvent(replicate: Replicate): EvidenceEvent {
  const { index, durationMs, usage, error } = replicate;
  return { type: 'replicate-finish', index, durationMs, ...(usage && { usage }), ...(error && { error }) };
}

function describeError(error: unknown): ReplicateError {
  const message = error instanceof Error ? error.message : String(error);
  if (BatonError.isInstance(error)) return { code: error.code, message };
  const code = (error as { code?: unknown } | null)?.code;
  return { code: typeof code === 'string' ? code : 'replicate-failed', message };
}

function totalUsage(replicates: readonly Replicate[]): { tokens: number; costUsd: number } {
  let tokens = 0;
  let costUsd = 0;
  for (const { usage } of replicates) {
    tokens += usage?.tokens ?? (usage?.inputTokens ?? 0) + (usage?.outputTokens ?? 0);
    costUsd += usage?.costUsd ?? 0;
  }
  return { tokens, costUsd };
}

function optionProblems(options: RunReplicatesOptions): Problem[] {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    const message = `runReplicates needs options like { k: 3, run: async (index, signal) => ({ output }) }, got ${describeValue(options)}`;
    return [{ path: 'options', code: 'type', message }];
  }
  const problems = evidenceOptionProblems(options);
  const { k, maxParallel, adaptive, signal } = options;
  if (!(Number.isInteger(k) && k >= 1)) {
    problems.push({ path: 'k', code: 'out-of-range', message: `k must be an integer ≥ 1, got ${describeValue(k)}` });
  }
  if (maxParallel !== undefined && !(Number.isInteger(maxParallel) && maxParallel >= 1)) {
    const message = `maxParallel must be an integer ≥ 1, got ${describeValue(maxParallel)}`;
    problems.push({ path: 'maxParallel', code: 'out-of-range', message });
  }
  if (adaptive !== undefined && typeof adaptive !== 'boolean') {
    problems.push({
      path: 'adaptive',
      code: 'type',
      message: `adaptive must be true or false, got ${describeValue(adaptive)}`,
    });
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    problems.push({
      path: 'signal',
      code: 'type',
      message: `signal must be an AbortSignal, got ${describeValue(signal)}`,
    });
  }
  for (const name of ['run', 'beforeReplicate', 'onEvent'] as const) {
    const value = options[name];
    if ((name === 'run' || value !== undefined) && typeof value !== 'function') {
      const code = value === undefined ? 'required' : 'type';
      problems.push({ path: name, code, message: `${name} must be a function, got ${describeValue(value)}` });
    }
  }
  return problems;
}
