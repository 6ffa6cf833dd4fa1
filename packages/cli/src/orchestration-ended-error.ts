/** An orchestration `baton run` followed ended without succeeding (failed, cancelled, not planned): exit code 7. */
import { BatonError } from '@baton/core/errors';

export class OrchestrationEndedError extends BatonError {
  readonly orchestrationId: string;
  /** How it ended: `failed`, `cancelled`, or `planning-failed`. */
  readonly status: string;

  constructor(orchestrationId: string, status: string, message: string) {
    super('cli-orchestration-ended', message);
    this.name = 'OrchestrationEndedError';
    this.orchestrationId = orchestrationId;
    this.status = status;
  }

  static override isInstance(error: unknown): error is OrchestrationEndedError {
    return BatonError.isInstance(error) && error.code === 'cli-orchestration-ended';
  }
}
