/**
 * The durable side of the engine: runs live in a store. Starting a run records it with a lease; every finished step
 * is journaled before it counts; a run that waits only on people or timers is parked; a failed run is compensated
 * with every transition journaled. A claim loop takes over runs whose owner died, parked runs that were woken and
 * runs submitted for any engine (`claim-loop.ts`); a lease keeper renews this engine's leases, lets go of runs it lost
 * and cancels the runs it holds that another process asked to cancel (`held-runs.ts`).
 */

import { CancelledError } from '../errors/cancelled-error.js';
import { errorFromJSON } from '../errors/error-from-json.js';
import { NotFoundError } from '../errors/not-found-error.js';
import type { CompiledPlan } from '../plan/compiled-plan.js';
import type { Plan } from '../plan/plan.js';
import type { VersionLocks } from '../registry/locked-version.js';
import { sleep } from '../resilience/abort.js';
import { retryKey } from '../run/retry-memo.js';
import type { FinishedStep } from '../run/run-context.js';
import {
  abortPayload,
  announceCancelledSteps,
  compensateRun,
  emitFor,
  type LaunchSettings,
  runLife,
  settleRun,
} from '../run/run-launcher.js';
import type { RunRecord } from '../run/run-record.js';
import { RunDetachedSignal } from '../run/run-signals.js';
import type { RunOptions, RunResult } from '../run/run-types.js';
import { serializeError } from '../run/serialize-error.js';
import type { VersionLock } from '../run/version-lock.js';
import { FINISHED_STATUSES, type JournalVerification, type RunStore, type StoredRun } from '../storage/run-store.js';
import { DuplicateRunError, LeaseLostError } from '../storage/storage-errors.js';
import { claimLoop } from './claim-loop.js';
import { DurablePauseBroker } from './durable-pauses.js';
import type { EngineReporter } from './engine-reporter.js';
import { followStoredRun } from './follow-stored-run.js';
import { HeldRuns } from './held-runs.js';
import { JournalWriter } from './journal-writer.js';
import { journaledVersionLock, locksFromJournal, recordLocks } from './journaled-versions.js';
import { emptyMemo, memoFromJournal, type RunMemo } from './step-memo.js';
import { stoppedSteps } from './stopped-steps.js';
import { finishedFromMemo, type StoredOptions, storedOptions, withEarlierSteps } from './stored-run-state.js';

/** Why the runs held here are let go when the engine closes (the reporter tells nobody: it is not news). */
const CLOSING = 'the engine is closing';

/** How often a run whose journal lost entries is restarted here before it is left to its lease. */
const MAX_RESTARTS = 5;
const RESTART_PAUSE_MS = 50;

export interface DurableSettings {
  store: RunStore;
  engineId: string;
  leaseMs: number;
  parkAfterMs: number;
  maxActiveRuns: number;
  compile(plan: unknown): CompiledPlan;
  /** The record of a run, created when this engine has none yet (a run recovered from the store). */
  recordFor(runId: string): RunRecord;
  /** Called with errors of the background loops, which keep going. */
  onError(error: unknown): void;
  /** How often the claim loop deletes finished runs past the store's retention. */
  purgeIntervalMs: number;
  /** Where notices and the errors behind them go. */
  reporter: EngineReporter;
}

export class DurableRuns {
  private readonly held: HeldRuns;
  /** Runs restarted here after their journal lost entries, and how often. */
  private readonly restarts = new Map<string, number>();
  private readonly closing = new AbortController();
  private unwatch: (() => void) | undefined;
  private claiming: Promise<void> | undefined;
  private readonly lives = new Set<Promise<void>>();

  constructor(
    private readonly launch: LaunchSettings,
    private readonly settings: DurableSettings,
  ) {
    this.held = new HeldRuns(settings, (runId) => {
      const current = settings.recordFor(runId).current as { detach?: (reason: string) => void } | undefined;
      current?.detach?.('its lease was lost to another engine');
      this.release(runId);
    });
  }

  /** Records a new run owned by this engine and starts it. */
  async start(record: RunRecord, plan: CompiledPlan, request: unknown, options: RunOptions): Promise<void> {
    const { store, engineId, leaseMs } = this.settings;
    const stored = storedOptions(options);
    if (options.idempotencyKey !== undefined) {
      const earlier = await store.findRunByIdempotencyKey(options.idempotencyKey);
      if (earlier) return followStoredRun(store, record, earlier.id, this.closing.signal);
    }
    // The run's version locks go in its first journal entry, stored with the run itself.
    const writer = new JournalWriter(store, record.runId, engineId);
    const versions = journaledVersionLock(this.launch.services.registry, {}, writer);
    const added = versions.lockPlan(plan, stored.versions);
    let created: StoredRun;
    try {
      created = await store.createRun(
        {
          id: record.runId,
          plan: plan.source,
          request,
          options: stored,
          idempotencyKey: options.idempotencyKey,
          owner: engineId,
          leaseMs,
        },
        [{ type: 'run-start', data: { engine: engineId, versions: added } }],
      );
    } catch (error) {
      // Another engine started the key's run since the look above: this handle follows that one.
      if (DuplicateRunError.isInstance(error) && error.idempotencyKey !== null) {
        return followStoredRun(store, record, error.existingRunId, this.closing.signal);
      }
      throw error;
    }
    this.held.add(record.runId);
    const life = this.live(record, plan, request, options, stored, created.createdAt, emptyMemo(), {
      started: { writer, versions },
    }).catch((error) => this.leave(record, record.handle.snapshot(), 'the store refused a write', error));
    this.track(life);
    await life;
  }

  /** Starts taking over runs: unfinished runs of dead engines, woken parked runs, submitted runs. */
  startClaiming(): void {
    if (this.claiming) return;
    this.unwatch = this.settings.store.watchWorkSignal((status) => this.settings.reporter.workSignal(status));
    this.claiming = claimLoop(this.settings, this.held, (run) => this.take(run), this.closing.signal);
  }

  /** Stops claiming, lets go of every run held here and hands them back to the store as ready for another engine. */
  async close(): Promise<void> {
    const held = this.held.ids();
    this.closing.abort();
    this.unwatch?.();
    this.detachAll(CLOSING);
    await this.claiming;
    await Promise.allSettled([...this.lives]);
    this.held.stop();
    const { store, engineId } = this.settings;
    await Promise.allSettled(held.map((runId) => store.setRunStatus(runId, engineId, 'ready')));
    if (held.length > 0) await store.notifyWork().catch(() => {});
  }

  get closingSignal(): AbortSignal {
    return this.closing.signal;
  }

  /** Lets every run this engine holds go: another engine (or this one, restarted) takes them over. */
  detachAll(reason: string): void {
    for (const runId of this.held.ids()) {
      const current = this.settings.recordFor(runId).current as { detach?: (reason: string) => void } | undefined;
      current?.detach?.(reason);
    }
  }

  /** A run the store does not hold (a mistyped id, or purged) is a `NotFoundError`, not an empty journal that verifies. */
  async verifyJournal(runId: string): Promise<JournalVerification> {
    if ((await this.settings.store.getRun(runId)) === undefined) {
      throw new NotFoundError(`no run with id "${runId.slice(0, 200)}" to verify`, {
        query: `run:${runId.slice(0, 200)}`,
      });
    }
    return this.settings.store.verifyJournal(runId);
  }

  private release(runId: string): void {
    this.held.delete(runId);
    this.restarts.delete(runId);
  }

  private take(run: StoredRun): void {
    this.held.add(run.id);
    const life = this.resume(run).catch((error) => {
      const record = this.settings.recordFor(run.id);
      this.leave(record, record.handle.snapshot(), 'it could not be resumed here', error);
    });
    this.track(life);
  }

  private track(life: Promise<void>): void {
    this.lives.add(life);
    void life.catch(() => {}).finally(() => this.lives.delete(life));
  }

  /** Continues a stored run from its journal. */
  private async resume(run: StoredRun): Promise<void> {
    const record = this.settings.recordFor(run.id);
    const stored = (run.options ?? {}) as StoredOptions;
    const options: RunOptions = { ...stored, deadline: undefined };
    const journal = await this.settings.store.readJournal(run.id);
    const memo = memoFromJournal(journal);
    let plan: CompiledPlan;
    try {
      plan = this.settings.compile(run.plan as Plan);
    } catch (error) {
      const writer = new JournalWriter(this.settings.store, run.id, this.settings.engineId);
      await this.end(record, options, writer, { kind: 'failed', error }, [], memo);
      return;
    }
    emitFor(this.launch, record, options)({ type: 'run-resume', path: [run.id], replayed: memo.steps.size });
    // A run that failed in an earlier life (even if the crash came before it was marked compensating) is not run
    // again: its compensation resumes where it stopped. A run cancelled while no engine executed it ends the same way.
    if (run.cancelRequested !== null && !memo.failure && !memo.finished) {
      const writer = new JournalWriter(this.settings.store, run.id, this.settings.engineId);
      const error = new CancelledError(run.cancelRequested);
      await this.end(record, options, writer, { kind: 'failed', error }, finishedFromMemo(memo), memo);
      return;
    }
    if (memo.failure) {
      const writer = new JournalWriter(this.settings.store, run.id, this.settings.engineId);
      const error = errorFromJSON(memo.failure.error);
      await this.end(
        record,
        options,
        writer,
        { kind: 'failed', error, payload: memo.failure.payload },
        finishedFromMemo(memo),
        memo,
      );
      return;
    }
    await this.live(record, plan, run.request, options, stored, run.createdAt, memo, {
      resumed: locksFromJournal(journal),
    });
  }

  private async live(
    record: RunRecord,
    plan: CompiledPlan,
    request: unknown,
    options: RunOptions,
    stored: StoredOptions,
    runStartedAt: number,
    memo: RunMemo,
    life: { started: { writer: JournalWriter; versions: VersionLock } } | { resumed: VersionLocks },
  ): Promise<void> {
    const { store, engineId, parkAfterMs } = this.settings;
    const resumed = 'resumed' in life;
    let writer: JournalWriter;
    let versions: VersionLock;
    if ('started' in life) ({ writer, versions } = life.started);
    else {
      writer = new JournalWriter(store, record.runId, engineId);
      versions = journaledVersionLock(this.launch.services.registry, life.resumed, writer);
      await recordLocks(writer, versions.lockPlan(plan, stored.versions));
    }
    const hooks = {
      recall: (key: string) => memo.steps.get(key),
      recallSubCall: (key: string, id: string) => memo.subCalls.get(key)?.get(id),
      recallRetry: (key: string, scope: string) => memo.retries.get(retryKey(key, scope)),
      record: (entry: Parameters<JournalWriter['write']>[0], early?: boolean) => writer.write(entry, { early }),
      recordWithFinish: (entry: Parameters<JournalWriter['write']>[0]) => writer.defer(entry),
      lateListenerError: (error: unknown) => this.settings.reporter.listenerError(record.runId, error),
      settled: () => writer.settled(),
      afterDurable: (callback: () => void) => writer.afterDurable(callback),
      idempotencyKey: (key: string) => `${record.runId}:${key}`,
      replayed: 0,
    };
    const outcome = await runLife(this.launch, {
      record,
      plan,
      request,
      options,
      deadline: stored.deadline,
      runStartedAt,
      pauses: new DurablePauseBroker(store, record.runId, memo, writer),
      durable: hooks,
      versions,
      parkAfterMs,
      fresh: !resumed,
    });
    // Only a run that succeeded stores its last step's entry with its finish; any other end writes it first.
    if (outcome.kind !== 'succeeded') writer.undefer();
    try {
      switch (outcome.kind) {
        case 'succeeded': {
          // Every entry before it must be stored (a lost one throws here); the last step's entry and `run-finish`
          // are stored with the status.
          await writer.settled();
          const output = outcome.result.output;
          const deferred = writer.takeDeferred();
          const last = [
            ...(deferred?.entries ?? []),
            ...(memo.finished ? [] : [{ type: 'run-finish', data: { output } }]),
          ];
          const finished = await store
            .finishRun(record.runId, engineId, { status: 'succeeded', output }, last)
            .catch((error: unknown) => {
              deferred?.lost(error);
              throw error;
            });
          if (!finished) {
            deferred?.lost(new LeaseLostError(record.runId, engineId, null));
            return this.leave(record, outcome.result, 'its lease was lost before it could finish');
          }
          deferred?.stored();
          this.release(record.runId);
          settleRun(this.launch, record, options, outcome);
          return;
        }
        case 'parked':
          await writer.write({ type: 'run-park', data: { wakeAt: outcome.wakeAt } });
          await writer.drain();
          emitFor(this.launch, record, options)({ type: 'run-park', path: [record.runId], wakeAt: outcome.wakeAt });
          // Let go before it is parked: a wake-up that came while it ran (an approval decided at once) parks it as
          // ready, and the claim loop, claiming it at once, must not find it still held here — it would skip it as
          // running here, and the run would wait for its own lease to lapse.
          this.leave(record, outcome.result, 'parked');
          // Not parked (a store error): the lease lapses and an engine takes the run up from its journal.
          await store
            .parkRun(record.runId, engineId, outcome.wakeAt)
            .catch((error) => this.settings.reporter.runLeft(record.runId, 'the store refused a write', error));
          return;
        case 'detached':
          if (RunDetachedSignal.isInstance(outcome.error) && outcome.error.restartHere) {
            return await this.restart(record, outcome.result, outcome.callsSettled, outcome.error.cause);
          }
          return this.leave(record, outcome.result, detachReason(outcome.error), detachCause(outcome.error));
        case 'failed':
          return await this.end(
            record,
            options,
            writer,
            { kind: 'failed', error: outcome.error, result: outcome.result },
            outcome.finished,
            memo,
          );
      }
    } catch (error) {
      this.leave(record, outcome.result, 'the store refused a write', error);
    }
  }

  /**
   * A failed run: compensate (journaled), then store and announce the failure. When the engine closes first, the
   * compensations not done yet are left to the run's next life (the store keeps it compensating; `close` hands it
   * back as ready), neither waited for until their TTL nor recorded as failed.
   */
  private async end(
    record: RunRecord,
    options: RunOptions,
    writer: JournalWriter,
    failure: { kind: 'failed'; error: unknown; payload?: unknown; result?: RunResult },
    finished: readonly FinishedStep[],
    memo: RunMemo,
  ): Promise<void> {
    const { store, engineId } = this.settings;
    // Steps finished in earlier lives are undone too, even when this life failed before it restored them.
    const toUndo = withEarlierSteps(finished, memo);
    const error = serializeError(failure.error);
    const payload = failure.payload ?? abortPayload(failure.error);
    const status = CancelledError.isInstance(failure.error) ? 'cancelled' : 'failed';
    if (!memo.failure) {
      const stopped = failure.result ?? record.handle.snapshot();
      const steps = stoppedSteps(stopped);
      await writer.write({ type: 'run-fail', data: { error, payload, status, ...(steps ? { steps } : {}) } });
      announceCancelledSteps(this.launch, record, options, stopped, failure.error);
    }
    await store.setRunStatus(record.runId, engineId, 'compensating');
    const compensated = await compensateRun(this.launch, record, options, { error, payload }, toUndo, {
      stop: this.closing.signal,
      done: memo.compensated,
      recorded: (stepKey) => writer.write({ type: 'compensation-finish', stepKey }),
      onFailed: async (step, stepError) => {
        await store.addFailedCompensation({
          runId: record.runId,
          stepKey: step.stepKey,
          target: step.target,
          error: stepError,
        });
        await writer.write({ type: 'compensation-fail', stepKey: step.stepKey, data: { error: stepError } });
      },
    });
    await writer.drain();
    if (compensated.left > 0) return this.leave(record, failure.result ?? record.handle.snapshot(), CLOSING);
    await store.finishRun(record.runId, engineId, { status, error });
    this.release(record.runId);
    const result = failure.result ?? record.handle.snapshot();
    settleRun(this.launch, record, options, { kind: 'failed', error: failure.error, result: { ...result, status } });
  }

  /**
   * A life that lost journal entries (a failed write of effect-free steps' entries) ends; the run is still this
   * engine's, so a new life resumes it here from what is stored, once the old life's handler calls have settled (or a
   * lease has passed, as a takeover would wait) — with growing pauses, and after a few tries it is left to the lease.
   */
  private async restart(
    record: RunRecord,
    snapshot: RunResult,
    callsSettled: () => Promise<void>,
    cause: unknown,
  ): Promise<void> {
    const { store, engineId, leaseMs } = this.settings;
    const tries = (this.restarts.get(record.runId) ?? 0) + 1;
    if (tries > MAX_RESTARTS || this.closing.signal.aborted) {
      return this.leave(record, snapshot, 'its journal kept failing', cause);
    }
    this.restarts.set(record.runId, tries);
    const closing = this.closing.signal;
    const pause = (ms: number) => sleep(ms, closing).catch(() => {});
    const waited = new AbortController();
    await Promise.race([callsSettled(), sleep(leaseMs, AbortSignal.any([closing, waited.signal])).catch(() => {})]);
    waited.abort();
    await pause(RESTART_PAUSE_MS * 2 ** (tries - 1));
    if (closing.aborted) return this.leave(record, snapshot, CLOSING);
    try {
      const run = await store.getRun(record.runId);
      if (run?.owner !== engineId || FINISHED_STATUSES.includes(run.status)) {
        return this.leave(record, snapshot, 'it is no longer held here');
      }
      await this.resume(run);
    } catch (error) {
      this.leave(record, snapshot, 'it could not be resumed here', error);
    }
  }

  /** The run goes on elsewhere (or later): the handle follows it through the store. */
  private leave(record: RunRecord, snapshot: RunResult, why: string, cause?: unknown): void {
    this.release(record.runId);
    record.detach(snapshot);
    this.settings.reporter.runLeft(record.runId, why, cause);
    void followStoredRun(this.settings.store, record, record.runId, this.closing.signal);
  }
}

/** Why a life detached, from the signal that ended it (or a fenced write that found the lease gone). */
function detachReason(error: unknown): string {
  if (RunDetachedSignal.isInstance(error)) return error.reason;
  if (LeaseLostError.isInstance(error)) return 'its lease was lost to another engine';
  return 'it was detached';
}

function detachCause(error: unknown): unknown {
  if (RunDetachedSignal.isInstance(error)) return error.cause;
  return LeaseLostError.isInstance(error) ? error : undefined;
}
