/** The version of `@baton/server` running, from its package.json (three folders up from both `src/http/routes/` and `dist/http/routes/`). */
import { createRequire } from 'node:module';

export const SERVER_VERSION: string = (createRequire(import.meta.url)('../../../package.json') as { version: string })
  .version;
