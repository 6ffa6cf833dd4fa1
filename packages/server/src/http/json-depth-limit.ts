/**
 * Refuses JSON bodies nested deeper than `maxDepth` with a 400 before anything parses them: the engine and the
 * stores walk values recursively, and a body thousands of levels deep was accepted (202) and then failed its run
 * with no error to show. The scan is one pass over the text, outside strings, without recursion.
 */
import type { MiddlewareHandler } from 'hono';
import { badRequest } from '../errors/http-problem.js';
import { bodyHeaders } from './request-body.js';
import type { AppEnv } from './routes/app-env.js';

/** Deeper than any real request; shallow enough for every recursive walk in the engine and the stores. */
export const MAX_JSON_DEPTH = 512;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** The deepest nesting of arrays and objects in `text`, or `limit + 1` as soon as it passes `limit`. */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c) index += 1;
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x7b || char === 0x5b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (char === 0x7d || char === 0x5d) depth -= 1;
  }
  return deepest;
}

export function jsonDepthLimit(maxDepth: number = MAX_JSON_DEPTH): MiddlewareHandler<AppEnv> {
  return async function limitJsonDepth(c, next) {
    if (bodyHeaders(c).present && JSON_TYPE.test(c.req.header('content-type') ?? '')) {
      const depth = jsonDepth(await c.req.text(), maxDepth);
      if (depth > maxDepth) {
        throw badRequest(
          'too-deeply-nested',
          `the body nests arrays and objects more than ${maxDepth} levels deep; flatten it`,
          [{ path: 'body', code: 'too-deeply-nested', message: `nested more than ${maxDepth} levels deep` }],
        );
      }
    }
    await next();
  };
}
