/**
 * An `Idempotency-Key` sent again with a different request: answered 422 `idempotency-key-reused` instead of the
 * first orchestration, which the caller would otherwise take for the answer to this request.
 */
import { HttpProblem } from '../errors/http-problem.js';

export class IdempotencyKeyReusedError extends HttpProblem {
  /** The key as sent. */
  readonly key: string;
  /** The orchestration the key was first used for. */
  readonly orchestrationId: string;

  constructor(key: string, orchestrationId: string) {
    const shown = key.length > 100 ? `${key.slice(0, 100)}…` : key;
    super(
      422,
      'idempotency-key-reused',
      'Unprocessable content',
      `Idempotency-Key "${shown}" was used for a different request (orchestration ${orchestrationId}): send a new key for this one, or the first request unchanged to get its orchestration`,
    );
    this.name = 'IdempotencyKeyReusedError';
    this.key = key;
    this.orchestrationId = orchestrationId;
  }

  static override isInstance(error: unknown): error is IdempotencyKeyReusedError {
    return HttpProblem.isInstance(error) && error.code === 'idempotency-key-reused';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), key: this.key, orchestrationId: this.orchestrationId };
  }
}
