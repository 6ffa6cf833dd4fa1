/**
 * A cache scope — `{ tenant?, project?, user? }`, each a string — checked wherever one comes from: the config, what
 * a scope function returns for a call, or a call's own `providerOptions.baton.scope`. A scope with a misspelt key
 * (`userId`) would key nothing and let users share answers, so it is refused, never read as no scope.
 */
import type { CacheScope } from '@baton/cache';
import { describeValue, type Problem, ValidationError } from '@baton/core';

const FIELDS = ['tenant', 'project', 'user'];

/** The problems of a scope object at `path`. */
export function scopeProblems(scope: unknown, path: string): Problem[] {
  if (typeof scope !== 'object' || scope === null || Array.isArray(scope)) {
    return [
      { path, code: 'invalid', message: `must be an object with tenant, project or user, got ${describeValue(scope)}` },
    ];
  }
  const problems: Problem[] = [];
  for (const [field, value] of Object.entries(scope)) {
    if (!FIELDS.includes(field)) {
      problems.push({
        path: `${path}.${field}`,
        code: 'unknown-option',
        message: 'a scope has tenant, project and user',
      });
    } else if (value !== undefined && typeof value !== 'string') {
      problems.push({
        path: `${path}.${field}`,
        code: 'invalid',
        message: `must be a string, got ${describeValue(value)}`,
      });
    }
  }
  return problems;
}

/** `scope` when it is one (or undefined), else a `ValidationError` naming each problem. */
export function checkedScope(scope: unknown, path: string): CacheScope | undefined {
  if (scope === undefined) return undefined;
  const problems = scopeProblems(scope, path);
  if (problems.length > 0) throw new ValidationError(`invalid cache scope at ${path}`, problems);
  return scope as CacheScope;
}
