/** Whether a value is a registry (what `createRegistry()` returns), told by the methods the MCP code calls. */
import type { Registry } from '@baton/core';

const METHODS = ['register', 'unregister', 'setHealth', 'has', 'describe', 'list'] as const;

export function isRegistry(value: unknown): value is Registry {
  if (typeof value !== 'object' || value === null) return false;
  return METHODS.every((method) => typeof (value as Record<string, unknown>)[method] === 'function');
}
