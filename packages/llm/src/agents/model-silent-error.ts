/**
 * A model endpoint sent nothing for longer than the agent waits — no answer to the request, or no more of a stream it
 * had begun: a server that took the connection and hangs. Retryable: another call, or another model, may answer, so
 * the agent asks the next of its models.
 */
import { BatonError } from '@baton/core';

export class ModelSilentError extends BatonError {
  /** The address called. */
  readonly url: string;
  /** How long it sent nothing, in ms. */
  readonly silentMs: number;
  /** Whether it had begun to answer (headers, or part of a stream) before it went silent. */
  readonly begun: boolean;

  constructor(url: string, silentMs: number, begun: boolean) {
    const what = begun ? 'stopped sending its answer' : 'sent no answer';
    super('model-silent', `the model endpoint ${url} ${what} for ${silentMs / 1000} s (idleTimeoutMs)`, {
      retryable: true,
    });
    this.name = 'ModelSilentError';
    this.url = url;
    this.silentMs = silentMs;
    this.begun = begun;
  }

  static override isInstance(error: unknown): error is ModelSilentError {
    return BatonError.isInstance(error) && error.code === 'model-silent';
  }
}
