/** The version of `@baton/server` running, from its package.json (one folder up from both `src/` and `dist/`). */
import { createRequire } from 'node:module';

export const SERVER_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string })
  .version;
