/** How Baton names itself to MCP peers (`clientInfo` / `serverInfo`): `baton` and the version of `@baton/llm`. */
import { createRequire } from 'node:module';

const manifest = createRequire(import.meta.url)('../../package.json') as { version: string };

export const BATON_MCP_IMPLEMENTATION: Readonly<{ name: string; version: string }> = Object.freeze({
  name: 'baton',
  version: manifest.version,
});
