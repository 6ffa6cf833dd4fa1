/** A step outlived its timeout, or a run its deadline. Retryable when it was one attempt of a step. */
import { BatonError } from './baton-error.js';

export class TimeoutError extends BatonError {
  readonly timeoutMs: number;
  readonly scope: string;

  constructor(scope: string, timeoutMs: number, options: { retryable?: boolean } = {}) {
    super('timeout', `${scope === 'run' ? 'the run' : `step "${scope}"`} timed out after ${timeoutMs} ms`, {
      retryable: options.retryable ?? scope !== 'run',
    });
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
