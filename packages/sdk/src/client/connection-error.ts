/** `BatonConnectionError`: no answer came back — DNS, refused or reset connection, a timeout, or a dropped stream. */
import { BatonClientError } from './client-error.js';

export class BatonConnectionError extends BatonClientError {
  readonly method: string;
  /** The request's URL (it never holds the API key). */
  readonly url: string;

  constructor(method: string, url: string, cause: unknown) {
    const reason = describeCause(cause);
    super('connection', `${method} ${url} failed: ${reason}. Check that the Baton server runs at this URL.`, { cause });
    this.name = 'BatonConnectionError';
    this.method = method;
    this.url = url;
  }

  static override isInstance(error: unknown): error is BatonConnectionError {
    return BatonClientError.isInstance(error) && error.kind === 'connection';
  }
}

/** Node's fetch says only "fetch failed"; the useful part (ECONNREFUSED, …) is on its cause. */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
  return `${cause.message}${inner}`;
}
