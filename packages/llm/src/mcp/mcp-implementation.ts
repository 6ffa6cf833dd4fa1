/** How Baton names itself to MCP peers (`clientInfo` / `serverInfo`): `baton` and the version of `@baton/llm`. */
import { createRequire } from 'node:module';

let implementation: Readonly<{ name: string; version: string }> | undefined;

/**
 * Read on first use, from the package's own package.json (two folders up from both `src/mcp/` and `dist/mcp/`); a
 * bundle that left the package folder behind says `0.0.0` rather than failing to load.
 */
export function batonMcpImplementation(): Readonly<{ name: string; version: string }> {
  if (!implementation) {
    let version = '0.0.0';
    try {
      version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
    } catch {
      // Bundled away from its package.json: the name is what peers need.
    }
    implementation = Object.freeze({ name: 'baton', version });
  }
  return implementation;
}
