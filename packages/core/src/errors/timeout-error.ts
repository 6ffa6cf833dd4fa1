/** A step outlived its timeout, or a run its deadline. Retryable when it was one attempt of a step. */
import { BatonError } from './baton-error.js';

/** A retry the run's deadline refused: the step would have tried again only after it. */
export interface RefusedRetry {
  stepId: string;
  /** The wait before the retry that was refused. */
  delayMs: number;
  /** The message of the step's last failure. */
  lastError: string;
}

export class TimeoutError extends BatonError {
  readonly timeoutMs: number;
  readonly scope: string;

  constructor(scope: string, timeoutMs: number, options: { retryable?: boolean; refusedRetry?: RefusedRetry } = {}) {
    const what = scope === 'run' ? 'the run' : `step "${scope}"`;
    const refused = options.refusedRetry;
    const message =
      refused === undefined
        ? `${what} timed out after ${timeoutMs} ms`
        : `${what} would time out after ${timeoutMs} ms before step "${refused.stepId}" could try again in ${refused.delayMs} ms; its last try failed: ${refused.lastError}`;
    super('timeout', message, { retryable: options.retryable ?? scope !== 'run' });
    this.name = 'TimeoutError';
    this.timeoutMs = timeoutMs;
    this.scope = scope;
  }

  static override isInstance(error: unknown): error is TimeoutError {
    return BatonError.isInstance(error) && error.code === 'timeout';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), scope: this.scope, timeoutMs: this.timeoutMs };
  }
}
