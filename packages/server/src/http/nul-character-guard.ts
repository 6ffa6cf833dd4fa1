/**
 * Refuses a NUL character (U+0000) in a request's path, query or JSON body with a 400 before anything stores it:
 * PostgreSQL's text cannot hold one, so a name, a reason or an id with `\u0000` in it failed there with a 500 (and a
 * cancel had already taken effect), while SQLite took it. No name, id or reason of Baton's needs one, and a value that
 * does can be sent encoded (base64), on every store alike.
 */
import type { MiddlewareHandler } from 'hono';
import { badRequest } from '../errors/http-problem.js';
import { bodyHeaders, JSON_TYPE } from './request-body.js';
import type { AppEnv } from './routes/app-env.js';

/** `\u0000` in JSON text that is an escape, not an escaped backslash followed by `u0000`. */
const ESCAPED_NUL = /(?<!\\)(?:\\\\)*\\u0000/;

/** Whether JSON `text` holds a NUL character in a string or a key (raw control characters are not valid JSON). */
export function jsonHasNul(text: string): boolean {
  return text.includes('\\u0000') && ESCAPED_NUL.test(text);
}

function refuse(place: string): never {
  throw badRequest(
    'nul-character',
    `the request ${place} holds a NUL character (\\u0000), which Baton does not store; send such data encoded (base64)`,
    [{ path: place, code: 'nul-character', message: 'holds a NUL character (\\u0000)' }],
  );
}

export function nulCharacterGuard(): MiddlewareHandler<AppEnv> {
  return async function refuseNul(c, next) {
    const url = c.req.url;
    if (/%00/i.test(url)) {
      const query = url.indexOf('?');
      refuse(query >= 0 && url.slice(query).match(/%00/i) ? 'query' : 'path');
    }
    if (bodyHeaders(c).present && JSON_TYPE.test(c.req.header('content-type') ?? '')) {
      if (jsonHasNul(await c.req.text())) refuse('body');
    }
    await next();
  };
}
