/**
 * The base of every error the service SDK throws or hands to a handler. A marker symbol (not `instanceof`) identifies
 * them, so checks hold even when two copies of `@baton/sdk` are loaded.
 */
const marker = Symbol.for('baton.sdk.service-error');

export class ServiceError extends Error {
  readonly [marker] = true;
  /** Stable, machine-readable code such as `task-failed` or `service-stopped`. */
  readonly code: string;

  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ServiceError';
    this.code = code;
  }

  static isInstance(error: unknown): error is ServiceError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
