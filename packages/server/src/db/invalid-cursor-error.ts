/** A page cursor this server did not hand out (or one that was altered): the route answers 400. */
import { BatonError, describeValue } from '@baton/core';

export class InvalidCursorError extends BatonError {
  /** The cursor as given. */
  readonly cursor: string;

  constructor(cursor: string) {
    super(
      'invalid-cursor',
      `cursor ${describeValue(cursor)} is not one this server returned; pass the nextCursor of the previous page, or none for the first page`,
    );
    this.name = 'InvalidCursorError';
    this.cursor = cursor;
  }

  static override isInstance(error: unknown): error is InvalidCursorError {
    return BatonError.isInstance(error) && error.code === 'invalid-cursor';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), cursor: this.cursor };
  }
}
