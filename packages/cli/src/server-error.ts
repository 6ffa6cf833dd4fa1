/**
 * The server could not be reached (exit code 5) or refused the request (exit code 6). Commands turn the SDK's errors
 * into this one, with a message that says what to do, so `main` needs no SDK to pick the exit code.
 */
import { BatonError } from '@baton/core/errors';

export type ServerFailure = 'unreachable' | 'refused';

export class ServerError extends BatonError {
  /** `unreachable`: no answer, a 5xx, or not Baton's answer; `refused`: a 4xx. */
  readonly failure: ServerFailure;
  /** The HTTP status of a refusal or a 5xx; undefined when no answer came. */
  readonly status: number | undefined;

  constructor(failure: ServerFailure, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(`cli-server-${failure}`, message, { cause: options.cause });
    this.name = 'ServerError';
    this.failure = failure;
    this.status = options.status;
  }

  static override isInstance(error: unknown): error is ServerError {
    return BatonError.isInstance(error) && error.code.startsWith('cli-server-');
  }
}
