/** Turns anything thrown into the plain shape events and results carry. */
import { BatonError } from '../errors/baton-error.js';
import type { SerializedError } from '../events/run-event.js';

export function serializeError(error: unknown): SerializedError {
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
