/**
 * A model's stream ended without its `finish` part (the connection dropped mid-answer): the answer may be cut short
 * and its usage is unknown, so it is not taken. Retryable: the call was cut, not refused.
 */
import { BatonError } from '@baton/core';

export class StreamEndedEarlyError extends BatonError {
  readonly model: string;

  constructor(model: string) {
    super(
      'stream-ended-early',
      `the stream of model ${model} ended without a finish part: its answer may be cut short`,
      {
        retryable: true,
      },
    );
    this.name = 'StreamEndedEarlyError';
    this.model = model;
  }

  static override isInstance(error: unknown): error is StreamEndedEarlyError {
    return BatonError.isInstance(error) && error.code === 'stream-ended-early';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), model: this.model };
  }
}
