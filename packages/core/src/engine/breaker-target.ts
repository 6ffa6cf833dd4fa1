/**
 * Which breaker `engine.breakerState(target)` reads. Breakers are per version (`name@version`), and a bare name used
 * to read as `closed` whatever the state of its versions' breakers: now a name or a range means its best registered version (as
 * plan validation picks it), and a target that is neither registered nor was ever called is a NotFoundError.
 */
import { NotFoundError } from '../errors/not-found-error.js';
import type { Registry } from '../registry/registry.js';
import type { Breakers } from '../resilience/breakers.js';

const LISTED = 20;

export function breakerTarget(registry: Registry, breakers: Breakers, target: string): string {
  if (breakers.has(target)) return target;
  const described = registry.describe(target);
  if (described !== undefined) return described.id;
  const available = registry.list().map((registered) => registered.id);
  throw new NotFoundError(
    `no target "${target}" is registered, so it has no breaker${available.length > 0 ? `; registered: ${available.slice(0, LISTED).join(', ')}${available.length > LISTED ? ', …' : ''}` : ''}`,
    { query: target, available },
  );
}
