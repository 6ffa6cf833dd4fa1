/** What the HTTP layer keeps per request: who called (after authentication) and the request's id for the logs. */
import type { OpenAPIHono } from '@hono/zod-openapi';

export interface AppEnv {
  Variables: {
    requestId: string;
    projectId: string;
    keyId: string;
  };
}

export type App = OpenAPIHono<AppEnv>;
