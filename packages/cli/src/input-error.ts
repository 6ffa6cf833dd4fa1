/** Input the `baton` command was pointed at cannot be used (unreadable file, malformed line): exit code 3. */
import { BatonError } from '@baton/core/errors';

export class InputError extends BatonError {
  /** The file (or other source) that could not be used. */
  readonly source: string;

  constructor(source: string, message: string, options: { cause?: unknown } = {}) {
    super('cli-input', message, options);
    this.name = 'InputError';
    this.source = source;
  }

  static override isInstance(error: unknown): error is InputError {
    return BatonError.isInstance(error) && error.code === 'cli-input';
  }
}
