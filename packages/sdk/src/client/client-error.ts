/**
 * The base of every error the HTTP client throws. A marker symbol (not `instanceof`) identifies them, so checks hold
 * even when two copies of `@baton/sdk` are loaded; `kind` tells the subclasses apart.
 */
const marker = Symbol.for('baton.client-error');

export type ClientErrorKind = 'api' | 'connection' | 'protocol' | 'orchestration-failed' | 'invalid-option';

export class BatonClientError extends Error {
  readonly [marker] = true;
  /** Which subclass this is: `api`, `connection`, `protocol`, `orchestration-failed` or `invalid-option`. */
  readonly kind: ClientErrorKind;

  constructor(kind: ClientErrorKind, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BatonClientError';
    this.kind = kind;
  }

  static isInstance(error: unknown): error is BatonClientError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}

/** A client option was missing or malformed, e.g. a `url` that is not an http(s) URL. */
export class InvalidClientOptionError extends BatonClientError {
  /** The option's name, e.g. `url` or `apiKey`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super('invalid-option', message);
    this.name = 'InvalidClientOptionError';
    this.option = option;
  }

  static override isInstance(error: unknown): error is InvalidClientOptionError {
    return BatonClientError.isInstance(error) && error.kind === 'invalid-option';
  }
}
