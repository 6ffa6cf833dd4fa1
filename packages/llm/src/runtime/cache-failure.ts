/**
 * Which cache failures an enhanced call may step around. A transient failure — the store or the embedding endpoint
 * unreachable, busy or timing out — is bypassed: the target answers, and the failure is counted. Anything else is a
 * configuration the user must fix (a model that cannot be loaded, an embedder that does not match the store, a file
 * that is not a cache store, a vector of the wrong size) and reaches the caller as the typed error it is: a cache that
 * silently stops caching would hide it.
 */
import { BatonError } from '@baton/core';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);
const SQLITE_TRANSIENT = /^SQLITE_(BUSY|LOCKED|IOERR)/;
/** Redis replies that mean "not now" (loading, failing over, out of memory), not "wrong". */
const REDIS_TRANSIENT = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|OOM)\b/;

export function isTransientCacheFailure(error: unknown): boolean {
  if (BatonError.isInstance(error)) return error.retryable;
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLITE_TRANSIENT.test(code))) return true;
  if (error.name === 'MaxRetriesPerRequestError' || error.message === 'Connection is closed.') return true;
  return error.name === 'ReplyError' && REDIS_TRANSIENT.test(error.message);
}
