/**
 * Runs that live in this process only: no journal, no parking, approvals decided through the in-memory broker, and
 * compensations that failed for good kept in a list for `failedCompensations()`.
 */
import { randomUUID } from 'node:crypto';
import { ValidationError } from '../errors/validation-error.js';
import type { CompiledPlan } from '../plan/compiled-plan.js';
import { MemoryPauseBroker } from '../run/pause-broker.js';
import {
  abortPayload,
  announceCancelledSteps,
  compensateRun,
  failUnsettled,
  type LaunchSettings,
  runLife,
  settleRun,
} from '../run/run-launcher.js';
import type { RunRecord } from '../run/run-record.js';
import type { RunOptions } from '../run/run-types.js';
import { VersionLock } from '../run/version-lock.js';
import type { FailedCompensation } from '../storage/run-store.js';
import type { EngineRuns } from './engine-runs.js';

export function inMemoryRuns(launch: LaunchSettings): EngineRuns {
  const pauses = new MemoryPauseBroker();
  const compensations: FailedCompensation[] = [];

  async function runToEnd(record: RunRecord, plan: CompiledPlan, request: unknown, options: RunOptions): Promise<void> {
    const outcome = await runLife(launch, {
      record,
      plan,
      request,
      options,
      deadline: deadlineOf(options),
      runStartedAt: Date.now(),
      pauses,
      durable: undefined,
      versions: lockedVersions(launch, plan, options),
      parkAfterMs: undefined,
      fresh: true,
    });
    if (outcome.kind === 'succeeded') return settleRun(launch, record, options, outcome);
    if (outcome.kind !== 'failed') return;
    announceCancelledSteps(launch, record, options, outcome.result, outcome.error);
    const error = outcome.result.error ?? {
      name: 'Error',
      code: 'error',
      message: String(outcome.error),
      retryable: false,
    };
    const failure = { error, payload: abortPayload(outcome.error) };
    await compensateRun(launch, record, options, failure, outcome.finished, {
      done: new Set(),
      recorded: async () => {},
      onFailed: async (step, stepError) => {
        const now = Date.now();
        compensations.push({
          id: randomUUID(),
          runId: record.runId,
          stepKey: step.stepKey,
          target: step.target,
          error: stepError,
          status: 'open',
          reason: null,
          createdAt: now,
          updatedAt: now,
        });
      },
    });
    settleRun(launch, record, options, outcome);
  }

  return {
    launch(record, plan, request, options) {
      // Whatever breaks outside the steps (a listener throwing on run-finish, compensation crashing) still settles.
      runToEnd(record, plan, request, options).catch((error) => failUnsettled(launch, record, options, error));
    },
    requestCancel: async () => false,
    statusOf: async () => undefined,
    async submit() {
      throw needsStore('submit', 'submit() hands runs to engines through a store: createEngine({ store })');
    },
    startClaiming() {},
    async close() {},
    async approvals(filter) {
      return pauses
        .list()
        .filter((a) => filter.runId === undefined || a.runId === filter.runId)
        .filter(() => filter.status === undefined || filter.status === 'pending')
        .map((a) => ({
          id: a.id,
          runId: a.runId,
          stepKey: a.stepId,
          prompt: a.prompt,
          data: a.data,
          status: 'pending' as const,
          expiresAt: a.expiresAt,
        }));
    },
    async decide(approvalId, status, decision) {
      pauses.decide(approvalId, status, decision);
    },
    async failedCompensations(filter) {
      return compensations.filter(
        (c) =>
          (filter.runId === undefined || c.runId === filter.runId) &&
          (filter.status === undefined || c.status === filter.status),
      );
    },
    async closeFailedCompensation(id, status, reason) {
      const entry = compensations.find((c) => c.id === id && c.status === 'open');
      if (!entry) return false;
      Object.assign(entry, { status, reason, updatedAt: Date.now() });
      return true;
    },
    async verifyJournal() {
      throw needsStore('no journal', 'journals exist only for engines created with a store');
    },
  };
}

function needsStore(summary: string, message: string): ValidationError {
  return new ValidationError(summary === 'submit' ? 'cannot submit' : summary, [
    { path: 'store', code: 'required', message },
  ]);
}

function deadlineOf(options: RunOptions): { at: number; totalMs: number } | undefined {
  if (options.deadline === undefined) return undefined;
  if (options.deadline instanceof Date) {
    const at = options.deadline.getTime();
    return { at, totalMs: at - Date.now() };
  }
  return { at: Date.now() + options.deadline, totalMs: options.deadline };
}

/** A run in memory locks its steps' versions as it starts; nothing to journal. */
function lockedVersions(launch: LaunchSettings, plan: CompiledPlan, options: RunOptions): VersionLock {
  const lock = new VersionLock(launch.services.registry);
  lock.lockPlan(plan, options.versions);
  return lock;
}
