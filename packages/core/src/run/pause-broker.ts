/**
 * Where approval and wait steps wait. The in-memory broker serves engines without a store: approvals are decided
 * with `engine.approve()` / `engine.reject()` in the same process and timers are plain sleeps. Durable engines use a
 * store-backed broker per run (`durable/durable-pauses.ts`).
 */
import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../errors/not-found-error.js';
import { onTimeout, sleepUntil } from '../resilience/abort.js';

export interface ApprovalRequest {
  runId: string;
  stepId: string;
  stepKey: string;
  prompt: string;
  data: unknown;
  expiresInMs: number | undefined;
  signal: AbortSignal;
  /** Called once the approval exists, with its id and expiry, so the run can announce it. */
  created(approvalId: string, expiresAt: number | null): void;
}

export interface ApprovalOutcome {
  approvalId: string;
  status: 'approved' | 'rejected' | 'expired';
  /** The approver's data (approved) or reason (rejected). */
  decision: unknown;
  /** When the approval was first asked for (ms since epoch): a step that waited across restarts started then. */
  requestedAt: number;
}

type Decided = Omit<ApprovalOutcome, 'requestedAt'>;

export interface TimerRequest {
  stepKey: string;
  /** When the timer should fire if it was not set before. */
  fireAt: number;
  signal: AbortSignal;
  /**
   * Called with the fire time actually used and when the timer was first set (a replayed timer keeps both from its
   * first life).
   */
  set(fireAt: number, setAt: number): void;
}

export interface PauseBroker {
  approval(request: ApprovalRequest): Promise<ApprovalOutcome>;
  /** Resolves with the time the timer fired. */
  timer(request: TimerRequest): Promise<number>;
}

export interface PendingApproval {
  id: string;
  runId: string;
  stepId: string;
  prompt: string;
  data: unknown;
  expiresAt: number | null;
}

export class MemoryPauseBroker implements PauseBroker {
  private readonly pending = new Map<string, PendingApproval & { settle: (outcome: Decided) => void }>();

  async approval(request: ApprovalRequest): Promise<ApprovalOutcome> {
    const id = randomUUID();
    const requestedAt = Date.now();
    const expiresAt = request.expiresInMs === undefined ? null : requestedAt + request.expiresInMs;
    return new Promise<ApprovalOutcome>((resolve, reject) => {
      const cleanups: (() => void)[] = [];
      const settle = (outcome: Decided) => {
        this.pending.delete(id);
        for (const clean of cleanups) clean();
        resolve({ ...outcome, requestedAt });
      };
      this.pending.set(id, {
        id,
        runId: request.runId,
        stepId: request.stepId,
        prompt: request.prompt,
        data: request.data,
        expiresAt,
        settle,
      });
      if (request.expiresInMs !== undefined) {
        cleanups.push(
          onTimeout(request.expiresInMs, () => settle({ approvalId: id, status: 'expired', decision: undefined })),
        );
      }
      const onAbort = () => {
        this.pending.delete(id);
        for (const clean of cleanups) clean();
        reject(request.signal.reason);
      };
      request.signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => request.signal.removeEventListener('abort', onAbort));
      request.created(id, expiresAt);
    });
  }

  async timer(request: TimerRequest): Promise<number> {
    request.set(request.fireAt, Date.now());
    await sleepUntil(request.fireAt, request.signal);
    return Date.now();
  }

  list(): PendingApproval[] {
    return [...this.pending.values()].map(({ settle: _settle, ...approval }) => approval);
  }

  /** Records a decision; throws NotFoundError when no approval with that id is waiting. */
  decide(id: string, status: 'approved' | 'rejected', decision: unknown): void {
    const found = this.pending.get(id);
    if (!found) {
      throw new NotFoundError(`no pending approval with id "${id}"`, {
        query: `approval:${id}`,
        available: [...this.pending.keys()],
      });
    }
    found.settle({ approvalId: id, status, decision });
  }
}
