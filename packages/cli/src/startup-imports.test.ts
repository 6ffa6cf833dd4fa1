/**
 * What `baton` loads before it knows the command: the static imports reachable from `run-cli.ts`. Commands bring in
 * the SDK, the server, the model layer and the stores with `import()` when they run, so `baton --version` or
 * `baton ps` never parses them. One static import of `@baton/core` (its root, not `@baton/core/errors`) once pulled
 * in Kysely, zod and ajv — some 1,700 module resolutions — and tripled the CLI's start-up time.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ENTRY = fileURLToPath(new URL('./run-cli.ts', import.meta.url));

/** Packages the CLI may load at start: the program's parser, the width of text in a terminal, and core's errors. */
const LOADED_AT_START = new Set(['@baton/core/errors', 'commander', 'string-width']);

/** The modules a file imports for their values (a type-only import is erased), in the order written. */
function valueImports(text: string): string[] {
  const statements = text.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^;'"]*?\s+from\s+)?'([^']+)'/gm);
  return [...statements].map((match) => match[1]!);
}

/** Every package reached through static value imports from `entry`, following the package's own files. */
function packagesReached(entry: string): { packages: Map<string, string>; files: number } {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of valueImports(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier).replace(/\.js$/, '.ts'));
      else if (!specifier.startsWith('node:') && !packages.has(specifier)) packages.set(specifier, file);
    }
  }
  return { packages, files: seen.size };
}

describe('the CLI at start-up', () => {
  it('reads value imports and skips type-only ones', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '@baton/core';",
      "export { c } from './c.js';",
      "export type { D } from '@baton/server';",
      "import {\n  e,\n  f,\n} from 'commander';",
      "import './side-effect.js';",
      "const later = await import('@baton/sdk');",
    ].join('\n');
    expect(valueImports(text)).toEqual(['./a.js', './c.js', 'commander', './side-effect.js']);
  });

  it('loads no package beyond the parser, text width and core errors until a command runs', () => {
    const { packages, files } = packagesReached(ENTRY);
    expect(files).toBeGreaterThan(20);
    const extra = [...packages].filter(([name]) => !LOADED_AT_START.has(name));
    expect(extra.map(([name, file]) => `${name} (imported by ${file.slice(file.indexOf('packages/'))})`)).toEqual([]);
    expect([...packages.keys()]).toContain('commander');
  });
});
