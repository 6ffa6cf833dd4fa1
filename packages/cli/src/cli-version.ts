/** The version of the `baton` command, from its package.json (one folder up from both `src/` and `dist/`). */
import { createRequire } from 'node:module';

export const CLI_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
