/**
 * The base of every error Baton throws. A marker symbol (not `instanceof`) identifies Baton errors, so checks hold
 * even when two copies of `@baton/core` are loaded.
 */
const marker = Symbol.for('baton.error');

export interface BatonErrorOptions {
  cause?: unknown;
  /** Whether running the same work again may succeed. @default false */
  retryable?: boolean;
}

export class BatonError extends Error {
  readonly [marker] = true;
  /** Stable, machine-readable code such as `validation-failed` or `budget-exceeded`. */
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: BatonErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BatonError';
    this.code = code;
    this.retryable = options.retryable ?? false;
  }

  static isInstance(error: unknown): error is BatonError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }

  /** A plain object for logs, events and the wire. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable };
  }
}

/** True when `error` is a BatonError with the given code; survives duplicate package copies. */
export function hasErrorCode(error: unknown, code: string): boolean {
  return BatonError.isInstance(error) && error.code === code;
}
