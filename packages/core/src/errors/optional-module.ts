/**
 * Loading an optional peer dependency synchronously (a constructor needs it). The package is resolved from the
 * caller's location (`from`, its `import.meta.url`); when no folder on Node's lookup path holds it, the failure
 * becomes a `MissingDependencyError` naming it. Any other failure (a broken native build) is rethrown as it is.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { MissingDependencyError } from './missing-dependency-error.js';

function isInstalled(packageName: string, from: string): boolean {
  const paths = createRequire(from).resolve.paths(packageName) ?? [];
  return paths.some((folder) => existsSync(join(folder, packageName, 'package.json')));
}

/**
 * @example
 * const { Redis } = requireOptional<typeof import('ioredis')>('ioredis', 'the Redis cache store', import.meta.url);
 */
export function requireOptional<T>(packageName: string, feature: string, from: string): T {
  try {
    return createRequire(from)(packageName) as T;
  } catch (error) {
    if (isInstalled(packageName, from)) throw error;
    throw new MissingDependencyError(packageName, feature, { cause: error });
  }
}
