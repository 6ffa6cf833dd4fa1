/**
 * Where an engine's runs live, behind one interface: in this process only (`in-memory-runs.ts`) or in a store
 * (`stored-runs.ts`). The engine picks one when it is created, so none of its methods asks whether it has a store.
 */
import type { CompiledPlan } from '../plan/compiled-plan.js';
import type { Plan } from '../plan/plan.js';
import type { RunRecord } from '../run/run-record.js';
import type { RunOptions } from '../run/run-types.js';
import type {
  CompensationStatus,
  FailedCompensation,
  JournalVerification,
  StoredApproval,
  StoredRunStatus,
} from '../storage/run-store.js';
import type { ApprovalView, Engine } from './engine-types.js';

export interface EngineRuns {
  /** Starts a run's first life; failures settle its record. */
  launch(record: RunRecord, plan: CompiledPlan, request: unknown, options: RunOptions): void;
  /** Records a cancel for whichever life of the run comes next; false when there is nothing to record it in. */
  requestCancel(runId: string, reason: string): Promise<boolean>;
  /** The status a run not held here has, if it is known. */
  statusOf(runId: string): Promise<StoredRunStatus | undefined>;
  submit(plan: Plan, request: unknown, options: Parameters<Engine['submit']>[2]): Promise<string>;
  startClaiming(): void;
  close(): Promise<void>;
  approvals(filter: { runId?: string; status?: StoredApproval['status'] }): Promise<ApprovalView[]>;
  decide(approvalId: string, status: 'approved' | 'rejected', decision: unknown): Promise<void>;
  failedCompensations(filter: { runId?: string; status?: CompensationStatus }): Promise<FailedCompensation[]>;
  /** False when no open entry has that id. */
  closeFailedCompensation(id: string, status: 'resolved' | 'ignored', reason: string): Promise<boolean>;
  verifyJournal(runId: string): Promise<JournalVerification>;
}
