/**
 * Turns anything thrown into the plain shape events and results carry, and the journal and the run's row store: one
 * that JSON can always hold. A field JSON cannot (a BigInt an error class keeps, a lone surrogate in a message) is
 * made storable (`storableCopy`) rather than left to fail the write that ends the run, which would leave the run
 * unfinished, taken up again and failing the same way after every lease.
 */
import { BatonError } from '../errors/baton-error.js';
import type { SerializedError } from '../events/run-event.js';
import { storableCopy } from '../storage/storable-copy.js';
import { unstorableIn } from '../storage/unstorable-value.js';

function plainError(error: unknown): SerializedError {
  if (BatonError.isInstance(error)) return error.toJSON() as SerializedError;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      code: typeof code === 'string' ? code : 'error',
      message: error.message,
      retryable: true,
    };
  }
  return { name: 'Error', code: 'error', message: String(error), retryable: true };
}

export function serializeError(error: unknown): SerializedError {
  const plain = plainError(error);
  return unstorableIn(plain) === undefined ? plain : storableCopy(plain);
}
