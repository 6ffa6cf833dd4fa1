/** An approval step ended without a yes: rejected by a person, or expired with `onExpire: 'fail'`. */
import { BatonError } from './baton-error.js';

export class ApprovalError extends BatonError {
  readonly approvalId: string;
  readonly stepId: string;
  readonly outcome: 'rejected' | 'expired';
  readonly reason: string | undefined;

  constructor(details: { approvalId: string; stepId: string; outcome: 'rejected' | 'expired'; reason?: string }) {
    const why = details.reason ? `: ${details.reason}` : '';
    super(
      details.outcome === 'rejected' ? 'approval-rejected' : 'approval-expired',
      `approval ${details.approvalId} for step "${details.stepId}" was ${details.outcome}${why}`,
    );
    this.name = 'ApprovalError';
    this.approvalId = details.approvalId;
    this.stepId = details.stepId;
    this.outcome = details.outcome;
    this.reason = details.reason;
  }

  static override isInstance(error: unknown): error is ApprovalError {
    return BatonError.isInstance(error) && (error.code === 'approval-rejected' || error.code === 'approval-expired');
  }

  override toJSON(): Record<string, unknown> {
    const { approvalId, stepId, outcome, reason } = this;
    return { ...super.toJSON(), approvalId, stepId, outcome, reason };
  }
}
