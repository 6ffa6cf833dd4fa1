/** A mistake in how the `baton` command was called (bad option value, unreadable file): exit code 2, no stack trace. */
import { BatonError } from '@baton/core/errors';

export class UsageError extends BatonError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('usage', message, options);
    this.name = 'UsageError';
  }

  static override isInstance(error: unknown): error is UsageError {
    return BatonError.isInstance(error) && error.code === 'usage';
  }
}
