/**
 * Approvals and timers of a durable run, kept in the store so they survive restarts and can be decided from any
 * process. An approval's id is derived from the run id and step key (which names the loop iteration), so a replayed
 * approval step finds the same approval even when the process died before journaling it; a replayed timer keeps its
 * first fire time.
 * While the run is still active here, a pending approval is checked now and then; once everything waits, the engine
 * parks the run and the store wakes it when the approval is decided or the time comes.
 */

import { nameUuid } from '../ids/name-uuid.js';
import { abortError, raceAbort, sleep, sleepUntil } from '../resilience/abort.js';
import type { ApprovalOutcome, ApprovalRequest, PauseBroker, TimerRequest } from '../run/pause-broker.js';
import { RunDetachedSignal } from '../run/run-signals.js';
import type { RunStore } from '../storage/run-store.js';
import type { JournalWriter } from './journal-writer.js';
import type { RunMemo } from './step-memo.js';

export class DurablePauseBroker implements PauseBroker {
  constructor(
    private readonly store: RunStore,
    private readonly runId: string,
    private readonly memo: RunMemo,
    private readonly journal: JournalWriter,
    /** How often a pending approval is checked while the run is still active. @default 250 */
    private readonly pollMs = 250,
  ) {}

  async approval(request: ApprovalRequest): Promise<ApprovalOutcome> {
    let id = this.memo.approvals.get(request.stepKey);
    if (id === undefined) {
      id = approvalIdFor(this.runId, request.stepKey);
      // People see the approval's data: it may only come from steps that are journaled, of a run still going.
      const journaled = this.journal.settled();
      if (journaled) await raceAbort(journaled, request.signal);
      if (request.signal.aborted) throw abortError(request.signal);
      // Idempotent: after a crash between these two writes, the approval created then is found (with its expiry).
      const approval = await this.store.createApproval({
        id,
        runId: this.runId,
        stepKey: request.stepKey,
        prompt: request.prompt,
        data: request.data,
        expiresAt: request.expiresInMs === undefined ? null : Date.now() + request.expiresInMs,
      });
      await this.journal.write({
        type: 'approval-request',
        stepKey: request.stepKey,
        data: { approvalId: id, expiresAt: approval.expiresAt },
      });
      this.memo.approvals.set(request.stepKey, id);
    }
    let announced = false;
    for (;;) {
      const approval = await this.store.getApproval(id);
      if (!approval) throw new Error(`approval ${id} of run ${this.runId} is missing from the store`);
      // Withdrawn: the run ended in another life (this one lost its lease and does not know yet).
      if (approval.status === 'withdrawn') throw new RunDetachedSignal(`approval ${id} was withdrawn`);
      if (approval.status !== 'pending')
        return {
          approvalId: id,
          status: approval.status,
          decision: approval.decision,
          requestedAt: approval.createdAt,
        };
      if (!announced) {
        announced = true;
        request.created(id, approval.expiresAt);
      }
      if (approval.expiresAt !== null && approval.expiresAt <= Date.now()) {
        await this.store.decideApproval(id, 'expired', null);
        continue;
      }
      const untilExpiry = approval.expiresAt === null ? this.pollMs : approval.expiresAt - Date.now();
      await sleep(Math.max(1, Math.min(this.pollMs, untilExpiry)), request.signal);
    }
  }

  async timer(request: TimerRequest): Promise<number> {
    let timer = this.memo.timers.get(request.stepKey);
    if (timer === undefined) {
      timer = { fireAt: request.fireAt, setAt: Date.now() };
      await this.journal.write({ type: 'timer-set', stepKey: request.stepKey, data: { fireAt: timer.fireAt } });
      this.memo.timers.set(request.stepKey, timer);
    }
    request.set(timer.fireAt, timer.setAt);
    await sleepUntil(timer.fireAt, request.signal);
    return Date.now();
  }
}

/** The id of the approval a step key of a run asks for: the same in every life of the run (UUID-shaped). */
export function approvalIdFor(runId: string, stepKey: string): string {
  return nameUuid(`${runId}\u0000${stepKey}`);
}
