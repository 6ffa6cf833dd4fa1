/**
 * What a handler running as a step can do besides its own work: call other registered targets as sub-steps
 * (`context.call`), with the engine's policies and events under the step's path, and run computations whose value is
 * kept (`context.memo`, for model calls). Each finished one is remembered by its id (call order, or given): a later
 * attempt of the step gets its result back, and in a durable run it is journaled (`sub-call-finish`, under the step's
 * key), so the step resumed after a crash replays what finished and calls for real from the first that did not.
 *
 * An id may not name two calls of one attempt, unless the first failed (a call tried again keeps its id).
 * A sub-call whose target has effects is journaled before the handler gets its result; an effect-free one (and a memo)
 * goes into the next write while the handler goes on — a call with effects after it waits for that write, as steps do.
 * A finished call whose target declares `compensate` is undone with the run (`sub-call-compensation.ts`).
 */
import type { BudgetTracker } from '../budget/budget-tracker.js';
import { AbortRunError } from '../errors/abort-run-error.js';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import { describeValue } from '../errors/describe-value.js';
import { errorFromJSON } from '../errors/error-from-json.js';
import { quoteText } from '../errors/quote-text.js';
import { ReplayMismatchError } from '../errors/replay-mismatch-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { UsageTotals } from '../events/run-event.js';
import type { CompiledStep } from '../plan/compiled-plan.js';
import type { HandlerContext, MemoOptions, SubCallOptions } from '../registry/target.js';
import { parseTargetRef, type TargetRef } from '../registry/target-ref.js';
import { raceAbort } from '../resilience/abort.js';
import { canonicalJson, isStorableJson, sha256Hex } from '../storage/canonical-json.js';
import type { Attempting, StepOutcome } from './attempting.js';
import { checkedUsage } from './checked-usage.js';
import type { RunContext, SubCallMemoEntry } from './run-context.js';
import { runOnce } from './run-once.js';
import { RunDetachedSignal } from './run-signals.js';
import { serializeError } from './serialize-error.js';
import { compensableCall, finishedSubCall } from './sub-call-compensation.js';

/** `executeTargets`, passed in so this file need not import the file that imports it. */
export type ExecuteTargets = (
  run: RunContext,
  step: CompiledStep,
  input: unknown,
  tracker: BudgetTracker,
  attempting: Attempting,
  signal: AbortSignal,
  key: string | undefined,
) => Promise<StepOutcome>;

/** One attempt of a handler: where it runs, and how its step calls targets. */
export interface SubCallHost {
  run: RunContext;
  step: CompiledStep;
  attempting: Attempting;
  /** The step's (or the calling sub-call's) budget tracker. */
  tracker: BudgetTracker;
  /** The attempt's signal: a sub-call stops with it. */
  signal: AbortSignal;
  /** The attempt's idempotency key, if it has one. */
  key: string | undefined;
  /**
   * Where this target's sub-calls are kept within the step: `''` for the step's own target, `fallback-<n>/` for its
   * n-th fallback, so a fallback never replays what the target before it did.
   */
  scope: string;
  execute: ExecuteTargets;
}

export type SubCallTools = Pick<HandlerContext, 'call' | 'memo' | 'budgetLeft' | 'emit'>;

const SUB_CALL_ID = /^[A-Za-z0-9._:-]{1,200}$/;
/** Failures kept as outcomes (`keepFailure`): their id stays taken, as a result's does. */
const keptFailures = new WeakSet<object>();
const NOTHING: UsageTotals = { tokens: 0, costUsd: 0 };

/** The sub-call side of one attempt's `HandlerContext`; ids by call order start over with every attempt. */
export function subCallTools(host: SubCallHost): SubCallTools {
  const used = new Set<string>();
  let calls = 0;
  const claim = (id: unknown, what: string): string => {
    if (typeof id !== 'string' || !SUB_CALL_ID.test(id)) {
      throw new ValidationError(`invalid ${what} id in step "${host.step.id}"`, [
        {
          path: 'id',
          code: 'format',
          message: `got ${typeof id === 'string' ? quoteText(id) : describeValue(id)}; use letters, digits and ._:- (at most 200)`,
        },
      ]);
    }
    if (used.has(id)) {
      throw new ValidationError(`${what} id "${id}" is used twice in one attempt of step "${host.step.id}"`, [
        { path: 'id', code: 'duplicate', message: `"${id}" names another ${what} of this attempt already` },
      ]);
    }
    used.add(id);
    return id;
  };
  /**
   * An id names a finished result: one whose work failed may be tried again within the attempt, and a call numbered
   * by order that failed gives its number back, so the call tried again is numbered as it will be when replayed.
   */
  const released = async <T>(id: string, work: Promise<T>, ordinal?: number): Promise<T> => {
    try {
      return await work;
    } catch (error) {
      if (typeof error === 'object' && error !== null && keptFailures.has(error)) throw error;
      used.delete(id);
      if (ordinal !== undefined && ordinal === calls) calls--;
      throw error;
    }
  };
  return {
    call: async <O>(target: TargetRef, input: unknown, options: SubCallOptions = {}): Promise<O> => {
      const ordinal = options.id === undefined ? ++calls : undefined;
      const id = claim(options.id ?? `call-${ordinal}`, 'sub-call');
      return (await released(id, callTarget(host, host.scope + id, target, input, options), ordinal)) as O;
    },
    memo: <T>(id: string, compute: (signal: AbortSignal) => T | Promise<T>, options: MemoOptions<T> = {}) =>
      released(claim(id, 'memo'), runMemo(host, host.scope + id, compute, options)),
    budgetLeft: () => host.tracker.remaining(),
    emit: (event) =>
      host.run.emit({ ...event, stepId: host.step.id, attempt: host.attempting.attempts, path: host.attempting.path }),
  };
}

async function callTarget(
  host: SubCallHost,
  id: string,
  ref: TargetRef,
  input: unknown,
  options: SubCallOptions,
): Promise<unknown> {
  const { run, step, attempting } = host;
  const subStep = subStepOf(step, id, ref, options);
  const label = subStep.targetLabel as string;
  const base = { stepId: step.id, attempt: attempting.attempts, path: [...attempting.path, id], callId: id };
  const inputDigest = digestOf(input);
  const known = finished(host, id, { kind: 'call', ref: label, inputDigest });
  if (known?.error) {
    run.emit({
      type: 'sub-call-error',
      ...base,
      target: known.target ?? label,
      error: known.error,
      durationMs: 0,
      replayed: true,
    });
    throw kept(errorFromJSON(known.error));
  }
  if (known) {
    const target = known.target ?? label;
    run.emit({
      type: 'sub-call-finish',
      ...base,
      target,
      output: known.output,
      durationMs: 0,
      usage: known.usage,
      replayed: true,
    });
    return known.output;
  }
  // A call made once the work is no longer wanted (a budget passed, the step cancelled or timed out) is refused
  // before it starts: its target, which may have effects, is not called.
  host.signal.throwIfAborted();
  run.emit({ type: 'sub-call-start', ...base, target: label, input });
  const startedAt = Date.now();
  const sub: Attempting = {
    attempts: 0,
    usage: { tokens: 0, costUsd: 0 },
    path: base.path,
    effects: 'none',
    stepKey: `${attempting.stepKey}#${id}`,
    subCalls: new Map(),
    subCallPlace: { within: `${attempting.stepKey}#${id}`, after: attempting.subCallPlace.after },
  };
  const tracker = host.tracker.child(subStep.id, options.budget);
  const business = options.idempotencyKey;
  const key = business ?? (host.key === undefined ? undefined : `${host.key}#${id}`);
  const start = () => host.execute(run, subStep, input, tracker, sub, host.signal, key);
  let outcome: StepOutcome;
  try {
    outcome = business === undefined ? await start() : await runOnce(run, `${label}:${business}`, start);
  } catch (error) {
    const serialized = serializeError(error);
    run.emit({ type: 'sub-call-error', ...base, target: label, error: serialized, durationMs: Date.now() - startedAt });
    if (!options.keepFailure || stopsTheRun(host, error)) throw error;
    const entry: SubCallMemoEntry = {
      kind: 'call',
      output: null,
      ref: label,
      error: serialized,
      usage: { ...sub.usage },
    };
    if (inputDigest !== undefined) entry.inputDigest = inputDigest;
    await remember(host, id, entry, sub.effects === 'none');
    throw kept(error);
  } finally {
    addUsage(attempting, sub.usage);
    if (sub.effects !== 'none') attempting.effects = 'external';
  }
  const entry: SubCallMemoEntry = {
    kind: 'call',
    output: outcome.output,
    target: outcome.target,
    ref: label,
    usage: { ...sub.usage },
  };
  if (inputDigest !== undefined) entry.inputDigest = inputDigest;
  const compensable = compensableCall(run.services, outcome.target, subStep.id, input, attempting.subCallPlace);
  if (compensable) entry.compensable = compensable;
  await remember(host, id, entry, outcome.effects === 'none');
  if (compensable) run.finished.push(finishedSubCall(sub.stepKey, outcome, compensable));
  const durationMs = Date.now() - startedAt;
  run.emit({
    type: 'sub-call-finish',
    ...base,
    target: outcome.target,
    output: outcome.output,
    durationMs,
    usage: entry.usage,
  });
  return outcome.output;
}

async function runMemo<T>(
  host: SubCallHost,
  id: string,
  compute: (signal: AbortSignal) => T | Promise<T>,
  options: MemoOptions<T>,
): Promise<T> {
  const known = finished(host, id, { kind: 'memo' });
  if (known) return known.output as T;
  const { run, step, attempting, tracker, signal } = host;
  const estimate = options.estimate ? checkedUsage(options.estimate, `estimate of memo "${id}"`) : undefined;
  const reservation = estimate ? tracker.reserve(estimate, step.id) : undefined;
  try {
    const value = await raceAbort(
      Promise.resolve().then(() => compute(signal)),
      signal,
    );
    const usage = options.usage ? checkedUsage(options.usage(value), `usage of memo "${id}"`) : NOTHING;
    reservation?.consume(usage);
    addUsage(attempting, usage);
    try {
      tracker.add(usage, step.id, { attempt: attempting.attempts, path: [...attempting.path, id] });
    } catch (error) {
      run.fail(error);
    }
    if (!isStorableJson(value)) {
      throw new ValidationError(`the value of memo "${id}" in step "${step.id}" cannot be kept`, [
        {
          path: id,
          code: 'type',
          message: `it must be JSON (no cycles, NaN or functions), got ${describeValue(value)}`,
        },
      ]);
    }
    await remember(host, id, { kind: 'memo', output: value, usage }, true);
    return value;
  } finally {
    reservation?.release();
  }
}

/**
 * The result of a sub-call that finished in an earlier attempt, or in an earlier life of a durable run (whose usage is
 * then counted again here, as restored steps' is).
 */
function finished(host: SubCallHost, id: string, asked: Asked): SubCallMemoEntry | undefined {
  const { attempting, run, tracker } = host;
  const known = attempting.subCalls.get(id);
  if (known) return checkedReplay(host, id, known, asked);
  const stored = run.durable?.recallSubCall(attempting.stepKey, id);
  if (!stored) return undefined;
  checkedReplay(host, id, stored, asked);
  tracker.restore(stored.usage);
  addUsage(attempting, stored.usage);
  attempting.subCalls.set(id, stored);
  return stored;
}

/** A cancel, a deadline, a budget or an abort ends the run: such a failure is never kept as a call's outcome. */
const stopsTheRun = (host: SubCallHost, error: unknown) =>
  host.signal.aborted || BudgetExceededError.isInstance(error) || AbortRunError.isInstance(error);

function kept<E>(error: E): E {
  if (typeof error === 'object' && error !== null) keptFailures.add(error);
  return error;
}

/** What a handler asks for under an id: a memo, or a call of a target with an input. */
type Asked = { kind: 'memo' } | { kind: 'call'; ref: string; inputDigest: string | undefined };

const describeEntry = (entry: { kind: 'call' | 'memo'; ref?: string; target?: string }) =>
  entry.kind === 'memo' ? 'a memo' : `a call of ${entry.ref ?? entry.target ?? 'a target'}`;

/**
 * A recalled result is handed back only for what was asked under its id when it was kept: the same kind, the same
 * target, the same input (entries journaled before targets and inputs were kept are taken as they are).
 */
function checkedReplay(host: SubCallHost, id: string, entry: SubCallMemoEntry, asked: Asked): SubCallMemoEntry {
  const sameKind = entry.kind === asked.kind;
  const sameCall =
    asked.kind === 'memo' ||
    ((entry.ref === undefined || entry.ref === asked.ref) &&
      (entry.inputDigest === undefined || asked.inputDigest === undefined || entry.inputDigest === asked.inputDigest));
  if (sameKind && sameCall) return entry;
  const differsBy = sameKind && asked.kind === 'call' && entry.ref === asked.ref ? ' with another input' : '';
  throw new ReplayMismatchError({
    stepId: host.step.id,
    callId: id,
    journaled: describeEntry(entry),
    requested: `${describeEntry(asked)}${differsBy}`,
  });
}

/** The SHA-256 of the input's canonical JSON; `undefined` for an input that is not JSON (it is then not compared). */
function digestOf(input: unknown): string | undefined {
  try {
    return sha256Hex(canonicalJson(input));
  } catch {
    return undefined;
  }
}

/**
 * Keeps a finished sub-call for later attempts and, in a durable run, journals it. An effect-free one goes early: the
 * handler goes on while it is written, and a lost write makes the run resume from its journal, as for steps.
 */
async function remember(host: SubCallHost, id: string, entry: SubCallMemoEntry, effectFree: boolean): Promise<void> {
  host.attempting.subCalls.set(id, entry);
  const durable = host.run.durable;
  if (!durable) return;
  const data = journaledSubCall(id, entry);
  const early = effectFree && isStorableJson(data);
  const write = durable.record({ type: 'sub-call-finish', stepKey: host.attempting.stepKey, data }, early);
  if (!early) return write;
  write.catch((error) =>
    host.run.fail(new RunDetachedSignal('its journal could not be written', { cause: error, restartHere: true })),
  );
}

/**
 * A finished sub-call as its `sub-call-finish` entry holds it. The output goes in as JSON text: a replay then hands back
 * its keys in the order the call gave them (the journal stores objects canonically, keys sorted), so a resumed agent
 * sends its model byte for byte the same messages. JSON has no `undefined`: an output that is `undefined` is marked
 * `undefined: true` and has no text, so its replay is `undefined` too, not `null` (`step-memo.ts` reads both forms).
 */
function journaledSubCall(id: string, entry: SubCallMemoEntry): Record<string, unknown> {
  const { output, ...rest } = entry;
  const json = JSON.stringify(output);
  return json === undefined ? { id, ...rest, undefined: true } : { id, ...rest, json };
}

/**
 * The step as a sub-call sees it: its target and policies instead of the step's, nothing of the step's own work, and
 * an id of its own (`<step>#<call id>`), under which its version is locked and its retries and errors are named.
 */
function subStepOf(step: CompiledStep, id: string, ref: TargetRef, options: SubCallOptions): CompiledStep {
  const target = parseTargetRef(ref);
  const name = target.name ?? `capability:${target.capability}`;
  return {
    ...step,
    id: `${step.id}#${id}`,
    target,
    targetLabel: target.version ? `${name}@${target.version}` : name,
    policy: {
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      breaker: options.breaker,
      fallback: options.fallback,
    },
    budget: options.budget,
    evidence: undefined,
    idempotencyKey: undefined,
    loop: undefined,
    approval: undefined,
    wait: undefined,
  };
}

function addUsage(attempting: Attempting, usage: UsageTotals): void {
  attempting.usage.tokens += usage.tokens;
  attempting.usage.costUsd += usage.costUsd;
}
