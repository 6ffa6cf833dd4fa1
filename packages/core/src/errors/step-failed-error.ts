/** A run failed because a step failed for good (retries exhausted, not retryable, no fallback left). */
import { BatonError } from './baton-error.js';

export class StepFailedError extends BatonError {
  readonly stepId: string;
  readonly target: string | undefined;
  readonly attempts: number;

  constructor(stepId: string, target: string | undefined, attempts: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const where = target ? `step "${stepId}" (${target})` : `step "${stepId}"`;
    // A step refused before its first call (an open breaker, a spent budget) was never tried.
    const outcome = attempts === 0 ? 'was not run' : `failed after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
    super('step-failed', `${where} ${outcome}: ${reason}`, { cause });
    this.name = 'StepFailedError';
    this.stepId = stepId;
    this.target = target;
    this.attempts = attempts;
  }

  static override isInstance(error: unknown): error is StepFailedError {
    return BatonError.isInstance(error) && error.code === 'step-failed';
  }

  /** With the Baton error that made the step fail as `cause` (a remote service's own `remoteCode` and `details`). */
  override toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = {
      ...super.toJSON(),
      stepId: this.stepId,
      target: this.target,
      attempts: this.attempts,
    };
    if (BatonError.isInstance(this.cause)) json.cause = this.cause.toJSON();
    return json;
  }
}
