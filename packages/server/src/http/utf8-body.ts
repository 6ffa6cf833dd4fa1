/**
 * Refuses a JSON body that is not UTF-8 (RFC 8259 §8.1) with a 400 naming the first bad byte: read as text, each
 * broken sequence became U+FFFD, and the replacement was stored in place of what the caller sent. The body is read
 * from the socket and decoded once, here, for every reader after it.
 */
import { isUtf8 } from 'node:buffer';
import type { MiddlewareHandler } from 'hono';
import { badRequest } from '../errors/http-problem.js';
import { bodyHeaders, JSON_TYPE } from './request-body.js';
import type { AppEnv } from './routes/app-env.js';

/** Where the first byte that starts no valid UTF-8 character is (the body is known not to be UTF-8). */
function firstBadByte(bytes: Uint8Array): number {
  let at = 0;
  while (at < bytes.length) {
    const lead = bytes[at] as number;
    const length =
      lead < 0x80
        ? 1
        : lead >= 0xc2 && lead <= 0xdf
          ? 2
          : lead >= 0xe0 && lead <= 0xef
            ? 3
            : lead >= 0xf0 && lead <= 0xf4
              ? 4
              : 0;
    // isUtf8 of the one character refuses what its lead byte allows but UTF-8 does not (overlong, surrogate, cut short).
    if (length === 0 || !isUtf8(bytes.subarray(at, at + length))) return at;
    at += length;
  }
  return at;
}

/** Strips a byte order mark, as `Response.text()` does. */
const decoder = new TextDecoder('utf-8');

export function utf8Body(): MiddlewareHandler<AppEnv> {
  return async function refuseBrokenUtf8(c, next) {
    if (bodyHeaders(c).present && JSON_TYPE.test(c.req.header('content-type') ?? '')) {
      const bytes = new Uint8Array(await c.req.raw.arrayBuffer());
      if (!isUtf8(bytes)) {
        const at = firstBadByte(bytes);
        const byte = bytes[at]?.toString(16).padStart(2, '0');
        throw badRequest('invalid-utf8', `the body is not UTF-8: byte ${at} (0x${byte}) starts no UTF-8 character`, [
          { path: 'body', code: 'invalid-utf8', message: `byte ${at} (0x${byte}) is not UTF-8` },
        ]);
      }
      // The text the guards and the route read next (`c.req.text()`, `c.req.json()`), decoded once: Hono would
      // otherwise make it from the bytes through a new `Response` for each request.
      (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(decoder.decode(bytes));
    }
    await next();
  };
}
