/**
 * Authentication for `/v1`: a project API key (`Authorization: Bearer bk_…`) for everything but projects, which take
 * the admin token. A missing, wrong or revoked key is a 401; a project key on an admin route, and the admin token on
 * a project route, are refused with 403 and a detail that says which credential the route wants (the admin token
 * on a path no route takes is a 404, as for a key).
 */
import type { MiddlewareHandler } from 'hono';
import type { AdminToken } from '../auth/admin-token.js';
import type { ApiKeys } from '../auth/api-keys.js';
import { bearerToken } from '../auth/bearer-token.js';
import { ADMIN_TOKEN_PREFIX } from '../auth/secret-token.js';
import { HttpProblem, noRoute, unauthorized } from '../errors/http-problem.js';
import type { AppEnv } from './routes/app-env.js';

export function requireAdmin(admin: AdminToken, keys: ApiKeys): MiddlewareHandler<AppEnv> {
  return async function requireAdminToken(c, next) {
    const token = bearerToken(c.req.header('authorization'));
    if (token === undefined) throw unauthorized('send the admin token as "Authorization: Bearer <token>"');
    if (!(await admin.matches(token))) {
      if ((await keys.authenticate(token)) !== undefined) {
        throw new HttpProblem(
          403,
          'admin-only',
          'Forbidden',
          'this route takes the admin token, not a project API key',
        );
      }
      throw unauthorized('the admin token is not valid');
    }
    await next();
  };
}

/** `routeExists(path)`: whether any route takes the path, so the admin token on a path none takes is a 404. */
export function requireProjectKey(
  keys: ApiKeys,
  admin: AdminToken,
  routeExists: (path: string) => boolean,
): MiddlewareHandler<AppEnv> {
  return async function requireApiKey(c, next) {
    const token = bearerToken(c.req.header('authorization'));
    if (token === undefined) throw unauthorized('send a project API key as "Authorization: Bearer <key>"');
    const key = await keys.authenticate(token);
    if (key === undefined) {
      if (token.startsWith(ADMIN_TOKEN_PREFIX) && (await admin.matches(token))) {
        if (!routeExists(c.req.path)) throw noRoute(c.req.method, c.req.path);
        throw new HttpProblem(
          403,
          'project-key-required',
          'Forbidden',
          'this route takes a project API key, not the admin token',
        );
      }
      throw unauthorized('the API key is not valid or was revoked');
    }
    c.set('projectId', key.projectId);
    c.set('keyId', key.keyId);
    await next();
  };
}
