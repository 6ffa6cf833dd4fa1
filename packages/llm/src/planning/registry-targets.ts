/** The planning targets of a registry: each name once, as plan validation would resolve it (the best version). */
import type { Registry } from '@baton/core';
import type { PlanningTarget } from './planning-target.js';

export function registryTargets(registry: Registry): PlanningTarget[] {
  const names = [...new Set(registry.list().map((target) => target.name))].sort();
  return names.flatMap((name) => {
    const target = registry.describe(name);
    if (!target) return [];
    return [
      {
        name,
        kind: target.kind,
        version: target.version,
        description: target.description,
        inputSchema: target.input?.jsonSchema,
        outputSchema: target.output?.outputJsonSchema,
      },
    ];
  });
}
