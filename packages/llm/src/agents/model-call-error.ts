/**
 * A model endpoint refused or failed a call: which model, at which address, with which HTTP status, and what it said —
 * so a wrong `baseURL` (a missing `/v1`) or a bad key reads as such instead of a bare "not found". As retryable as the
 * provider's own error (429 and 5xx are).
 */
import { APICallError } from '@ai-sdk/provider';
import { BatonError } from '@baton/core';

const clip = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max)}…` : text);

export class ModelCallError extends BatonError {
  readonly model: string;
  readonly url: string;
  readonly status: number | undefined;

  constructor(model: string, cause: APICallError) {
    const status = cause.statusCode;
    const said = cause.responseBody
      ? `: ${clip(cause.responseBody.replace(/\s+/g, ' ').trim())}`
      : `: ${cause.message}`;
    const hint = status === 404 ? ' (is the baseURL right? OpenAI-compatible APIs usually end in /v1)' : '';
    const answer = status === undefined ? 'could not be reached' : `answered ${status}`;
    super('model-call-failed', `the model ${model} at ${cause.url} ${answer}${said}${hint}`, {
      retryable: cause.isRetryable,
      cause,
    });
    this.name = 'ModelCallError';
    this.model = model;
    this.url = cause.url;
    this.status = status;
  }

  static override isInstance(error: unknown): error is ModelCallError {
    return BatonError.isInstance(error) && error.code === 'model-call-failed';
  }

  /**
   * The provider's error as a `ModelCallError`; one that wraps an error of Baton's own (the endpoint went silent in the
   * middle of its stream: the provider says only "Failed to process successful response") as that error; any other
   * error as it is.
   */
  static from(model: string, error: unknown): unknown {
    if (!APICallError.isInstance(error)) return error;
    return BatonError.isInstance(error.cause) ? error.cause : new ModelCallError(model, error);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), model: this.model, url: this.url, status: this.status };
  }
}
