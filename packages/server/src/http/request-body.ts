/**
 * What the request's headers say about its body. Asking the request object itself (`c.req.raw.body`) makes the Node
 * adapter build a whole web `Request` with a stream, which costs more than many handlers; the headers are enough:
 * Node's HTTP parser reads exactly `Content-Length` bytes, and a body without it is sent chunked.
 */
import type { Context } from 'hono';

/** `application/json` and its `+json` kinds, the bodies the guards read. */
export const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export interface BodyHeaders {
  /** Whether a body follows the headers. */
  present: boolean;
  /** Its length in bytes, when `Content-Length` gives it (a chunked body's length is known only once it is read). */
  length: number | undefined;
}

export function bodyHeaders(c: Context): BodyHeaders {
  if (c.req.header('transfer-encoding') !== undefined) return { present: true, length: undefined };
  const declared = c.req.header('content-length');
  const length = declared === undefined ? 0 : Number(declared);
  return { present: length > 0, length };
}
