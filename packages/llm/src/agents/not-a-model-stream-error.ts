/**
 * A model endpoint answered a streaming call with 200 but its body was no model stream (a web page, a proxy's login
 * form, a JSON of some other API): a wrong `baseURL` or something in the way, not a cut connection. Not retryable:
 * the same address answers the same way again.
 */
import { BatonError, clipText } from '@baton/core';

/** How much of the body the message shows. */
const SHOWN_BODY = 200;

export interface NotAModelStreamDetails {
  /** The address called, when known. */
  url?: string;
  /** The `content-type` it answered with, when it sent one. */
  contentType?: string;
  /** The start of the body it sent, when it could be read. */
  bodyStart?: string;
  cause?: unknown;
}

export class NotAModelStreamError extends BatonError {
  readonly model: string;
  readonly url: string | undefined;
  readonly contentType: string | undefined;
  readonly bodyStart: string | undefined;

  constructor(model: string, details: NotAModelStreamDetails = {}) {
    const { url, contentType, bodyStart, cause } = details;
    const at = url === undefined ? '' : ` at ${url}`;
    const type = contentType === undefined ? 'no content-type' : `content-type ${contentType}`;
    const body =
      bodyStart === undefined ? '' : `; it sent: "${clipText(bodyStart.replace(/\s+/g, ' ').trim(), SHOWN_BODY)}"`;
    super(
      'not-a-model-stream',
      `the model ${model}${at} answered 200 but its body was not a model stream (${type})${body}; is the baseURL that of an OpenAI-compatible API?`,
      { retryable: false, cause },
    );
    this.name = 'NotAModelStreamError';
    this.model = model;
    this.url = url;
    this.contentType = contentType;
    this.bodyStart = bodyStart === undefined ? undefined : clipText(bodyStart, SHOWN_BODY);
  }

  static override isInstance(error: unknown): error is NotAModelStreamError {
    return BatonError.isInstance(error) && error.code === 'not-a-model-stream';
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      model: this.model,
      url: this.url,
      contentType: this.contentType,
      bodyStart: this.bodyStart,
    };
  }
}
