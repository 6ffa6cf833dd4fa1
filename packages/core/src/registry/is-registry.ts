/**
 * Recognises a registry handed to `createEngine` or `validatePlan` by its methods, so that a wrong argument is a
 * ValidationError at the call, not a TypeError from deep inside validation.
 */
import { describeValue } from '../errors/describe-value.js';
import type { Problem } from '../errors/validation-error.js';
import type { Registry } from './registry.js';

const REGISTRY_METHODS = ['register', 'resolve', 'candidates', 'has', 'describe', 'list'];

/** True when `value` has every method in `methods`. */
export function hasMethods(value: unknown, methods: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return methods.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
}

export function isRegistry(value: unknown): value is Registry {
  return hasMethods(value, REGISTRY_METHODS);
}

/** The problem with a registry argument at `path`, if any: it must be what `createRegistry()` returns. */
export function registryProblem(registry: unknown, path: string): Problem | undefined {
  if (isRegistry(registry)) return undefined;
  return {
    path,
    code: registry === undefined ? 'required' : 'type',
    message: `${path} must be a registry from createRegistry(), got ${describeValue(registry)}`,
  };
}
