/**
 * Every path a package publishes — each `exports` target, `main`, `types` and `bin` — names a file that exists once
 * the packages are built (`npm run build`, which `npm install` runs), so an installed package never points nowhere.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packagesDir = fileURLToPath(new URL('../../packages', import.meta.url));
const packages = readdirSync(packagesDir).filter((name) => existsSync(join(packagesDir, name, 'package.json')));

/** Every string leaf of an `exports` value, with the condition path that leads to it. */
function targets(value: unknown, path: string[] = []): [string, string][] {
  if (typeof value === 'string') return [[path.join(' → ') || '.', value]];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => targets(inner, [...path, key]));
}

describe.each(packages)('packages/%s', (name) => {
  const dir = join(packagesDir, name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

  it('names only files that exist, and publishes them', () => {
    const paths: [string, string][] = [
      ...targets(manifest.exports ?? {}),
      ...(['main', 'types'] as const)
        .filter((key) => manifest[key])
        .map((key) => [key, manifest[key]] as [string, string]),
      ...Object.entries<string>(typeof manifest.bin === 'string' ? { bin: manifest.bin } : (manifest.bin ?? {})),
    ];
    expect(paths.length).toBeGreaterThan(0);
    const missing = paths.filter(([, target]) => !existsSync(join(dir, target)));
    expect(missing).toEqual([]);
    const files: string[] = manifest.files ?? [];
    const published = paths.filter(([condition]) => !condition.includes('@baton/source'));
    const unpublished = published.filter(([, target]) => !files.some((f) => target.replace(/^\.\//, '').startsWith(f)));
    expect(unpublished).toEqual([]);
  });
});
