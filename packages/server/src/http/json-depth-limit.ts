/**
 * Refuses JSON bodies nested deeper than `maxDepth` with a 400 before anything parses them: the engine and the
 * stores walk values recursively, and a body thousands of levels deep was accepted (202) and then failed its run
 * with no error to show (`jsonDepth` of `@baton/protocol`, which the service socket uses too).
 */
import { jsonDepth, MAX_JSON_DEPTH } from '@baton/protocol';
import type { MiddlewareHandler } from 'hono';
import { badRequest } from '../errors/http-problem.js';
import { bodyHeaders, JSON_TYPE } from './request-body.js';
import type { AppEnv } from './routes/app-env.js';

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
