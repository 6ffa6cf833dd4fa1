/** `OrchestrationFailedError`: the orchestration `result()` waited for ended without succeeding. */
import type { OrchestrationStatus } from '@baton/protocol';
import { BatonClientError } from './client-error.js';

/** The orchestration's `error` as the server reports it. */
export interface OrchestrationErrorBody {
  name?: string;
  code?: string;
  message: string;
  [key: string]: unknown;
}

export class OrchestrationFailedError extends BatonClientError {
  readonly orchestrationId: string;
  /** How it ended: `failed` or `cancelled`. */
  readonly status: OrchestrationStatus;
  /** The orchestration's error, when the server gave one. */
  readonly error: OrchestrationErrorBody | null;

  constructor(orchestrationId: string, status: OrchestrationStatus, error: OrchestrationErrorBody | null) {
    const reason = error ? `: ${error.code ? `${error.code}: ` : ''}${error.message}` : '';
    super('orchestration-failed', `orchestration "${orchestrationId}" ended ${status}${reason}`);
    this.name = 'OrchestrationFailedError';
    this.orchestrationId = orchestrationId;
    this.status = status;
    this.error = error;
  }

  static override isInstance(error: unknown): error is OrchestrationFailedError {
    return BatonClientError.isInstance(error) && error.kind === 'orchestration-failed';
  }
}
