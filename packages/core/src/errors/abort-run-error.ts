/**
 * What a handler throws to stop the whole run on purpose (not a failure to retry): the run is aborted, finished
 * steps are compensated, and `payload` reaches every compensation handler.
 */
import { BatonError } from './baton-error.js';

export class AbortRunError extends BatonError {
  readonly payload: unknown;

  constructor(payload?: unknown, message = 'a step aborted the run') {
    super('run-aborted', message, { retryable: false });
    this.name = 'AbortRunError';
    this.payload = payload;
  }

  static override isInstance(error: unknown): error is AbortRunError {
    return BatonError.isInstance(error) && error.code === 'run-aborted';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), payload: this.payload };
  }
}
