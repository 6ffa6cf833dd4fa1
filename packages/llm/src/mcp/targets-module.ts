/**
 * The registry an ES module gives (`baton mcp serve --targets <module>`): the registry it exports (default or
 * named), or a new one holding every target definition it exports (alone or in arrays).
 */
import { createRegistry, type Registry, type TargetDefinition, ValidationError } from '@baton/core';
import { isRegistry } from './registry-shape.js';

const isDefinition = (value: unknown): value is TargetDefinition =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { name?: unknown }).name === 'string' &&
  typeof (value as { handler?: unknown }).handler === 'function';

/**
 * @example
 * const registry = registryFromModule(await import(pathToFileURL('targets.mjs').href), 'targets.mjs');
 */
export function registryFromModule(exports: Readonly<Record<string, unknown>>, source: string): Registry {
  const registries = Object.entries(exports).filter(([, value]) => isRegistry(value));
  if (registries.length > 1) {
    const names = registries.map(([name]) => name).join(', ');
    throw new ValidationError(`${source} exports ${registries.length} registries (${names})`, [
      { path: source, code: 'ambiguous', message: 'export one registry, or target definitions' },
    ]);
  }
  if (registries.length === 1) return registries[0]![1] as Registry;
  const definitions = Object.values(exports).flatMap((value) =>
    Array.isArray(value) ? value.filter(isDefinition) : isDefinition(value) ? [value] : [],
  );
  if (definitions.length === 0) {
    const names = Object.keys(exports).join(', ') || 'nothing';
    throw new ValidationError(`${source} exports no registry and no target definitions`, [
      {
        path: source,
        code: 'no-targets',
        message: `export a registry or objects with a name and a handler (it exports: ${names.slice(0, 200)})`,
      },
    ]);
  }
  const registry = createRegistry();
  for (const definition of new Set(definitions)) registry.register(definition);
  return registry;
}
