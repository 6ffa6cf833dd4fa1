/** Work stopped because its caller cancelled it. */
import { BatonError } from './baton-error.js';

export class CancelledError extends BatonError {
  readonly reason: unknown;

  constructor(reason?: unknown) {
    const why = reason instanceof Error ? reason.message : reason === undefined ? undefined : String(reason);
    super('cancelled', why ? `cancelled: ${why}` : 'cancelled');
    this.name = 'CancelledError';
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is CancelledError {
    return BatonError.isInstance(error) && error.code === 'cancelled';
  }

  override toJSON(): Record<string, unknown> {
    const reason = this.reason instanceof Error ? this.reason.message : this.reason;
    return { ...super.toJSON(), reason };
  }
}
