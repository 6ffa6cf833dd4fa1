/**
 * Runs that live in a store (durable): started, resumed, parked and compensated by `DurableRuns`; approvals, cancel
 * requests, submitted runs and failed compensations read and written through the store, so any process sees them.
 */
import { DurableRuns, type DurableSettings } from '../durable/durable-runs.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { ValidationError } from '../errors/validation-error.js';
import { keyedRunId } from '../ids/keyed-run-id.js';
import { newRunId } from '../ids/run-id.js';
import { failUnsettled, type LaunchSettings } from '../run/run-launcher.js';
import { FINISHED_STATUSES, type RunStore } from '../storage/run-store.js';
import { DuplicateRunError } from '../storage/storage-errors.js';
import type { EngineRuns } from './engine-runs.js';
import { checkStorablePlan } from './storable-request.js';

export function storedRuns(launch: LaunchSettings, settings: DurableSettings): EngineRuns {
  const { store, engineId } = settings;
  const durable = new DurableRuns(launch, settings);
  return {
    launch(record, plan, request, options) {
      durable.start(record, plan, request, options).catch((error) => failUnsettled(launch, record, options, error));
    },
    requestCancel: (runId, reason) => store.requestCancel(runId, reason),
    statusOf: async (runId) => (await store.getRun(runId))?.status,
    async submit(plan, request, options = {}) {
      checkStorablePlan(settings.compile(plan).source as object);
      // A keyed run's id comes from its key, as `engine.run` names it (`keyedRunId`).
      const runId =
        options.runId ?? (options.idempotencyKey === undefined ? newRunId() : keyedRunId(options.idempotencyKey));
      try {
        await store.createRun({
          id: runId,
          plan,
          request,
          options: {
            maxParallel: options.maxParallel,
            timeoutMs: options.timeoutMs,
            budget: options.budget,
            versions: options.versions,
          },
          idempotencyKey: options.idempotencyKey,
          owner: `submitted-by-${engineId}`,
          leaseMs: 0,
        });
      } catch (error) {
        // A key already given: the run it started, as `run` answers with the first run's handle.
        if (DuplicateRunError.isInstance(error) && error.idempotencyKey !== null) return error.existingRunId;
        throw error;
      }
      await store.notifyWork();
      return runId;
    },
    startClaiming: () => durable.startClaiming(),
    close: () => durable.close(),
    async approvals(filter) {
      return (await store.listApprovals(filter)).map((a) => ({
        id: a.id,
        runId: a.runId,
        stepKey: a.stepKey,
        prompt: a.prompt,
        data: a.data,
        status: a.status,
        expiresAt: a.expiresAt,
      }));
    },
    decide: (approvalId, status, decision) => decideStored(store, approvalId, status, decision),
    failedCompensations: (filter) => store.listFailedCompensations(filter),
    closeFailedCompensation: (id, status, reason) => store.closeFailedCompensation(id, status, reason),
    verifyJournal: (runId) => durable.verifyJournal(runId),
  };
}

async function decideStored(
  store: RunStore,
  approvalId: string,
  status: 'approved' | 'rejected',
  decision: unknown,
): Promise<void> {
  const approval = await store.getApproval(approvalId);
  if (!approval) throw new NotFoundError(`no approval with id "${approvalId}"`, { query: `approval:${approvalId}` });
  const run = approval.status === 'pending' ? await store.getRun(approval.runId) : undefined;
  if (run && FINISHED_STATUSES.includes(run.status)) {
    throw new ValidationError(`approval "${approvalId}" cannot be ${status}`, [
      { path: 'approvalId', code: 'run-finished', message: `its run ${approval.runId} is ${run.status} already` },
    ]);
  }
  if (!(await store.decideApproval(approvalId, status, decision))) {
    const now = await store.getApproval(approvalId);
    throw new ValidationError(`approval "${approvalId}" cannot be ${status}`, [
      { path: 'approvalId', code: 'already-decided', message: `it is ${now?.status ?? 'gone'} already` },
    ]);
  }
}
