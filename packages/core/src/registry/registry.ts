/**
 * The registry of agents, services and tools. Lookups go by name, name + semver range, or capability; healthy
 * targets come before degraded ones, higher priority first, with round-robin among equals. Down targets are never
 * returned, and a failed lookup says which candidates were down.
 */
import semver from 'semver';
import { describeValue } from '../errors/describe-value.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { clipText, quoteText } from '../errors/quote-text.js';
import { ValidationError } from '../errors/validation-error.js';
import type { Health, RegisteredTarget, TargetDefinition } from './target.js';
import { describeQuery, parseTargetRef, type TargetQuery, type TargetRef, targetRefProblem } from './target-ref.js';
import { validateRegistration } from './validate-registration.js';

export interface RegisterOptions {
  /** Replace a target already registered with the same name and version. @default false */
  replace?: boolean;
}

export interface Registry {
  register<I, O>(definition: TargetDefinition<I, O>, options?: RegisterOptions): RegisteredTarget;
  /** Removes one version, or every version when `version` is omitted. Returns how many were removed. */
  unregister(name: string, version?: string): number;
  setHealth(name: string, health: Health, version?: string): void;
  /** The best target for a reference or query; throws NotFoundError saying what was down or missing. */
  resolve(ref: TargetRef | TargetQuery): RegisteredTarget;
  /** Every usable target for a query, best first (without advancing round-robin). */
  candidates(ref: TargetRef | TargetQuery): RegisteredTarget[];
  /** Whether a lookup could succeed ignoring health: used by plan validation. */
  has(ref: TargetRef | TargetQuery): boolean;
  /** The target that plan validation checks a step against: the best match ignoring health. */
  describe(ref: TargetRef | TargetQuery): RegisteredTarget | undefined;
  list(): RegisteredTarget[];
}

const HEALTH_RANK: Record<Health, number> = { healthy: 0, degraded: 1, down: 2 };

/**
 * @example
 * const registry = createRegistry();
 * registry.register({ name: 'lookup', description: 'Finds a customer', handler: async ({ id }) => db.find(id) });
 * registry.resolve({ capability: 'search' });
 */
export function createRegistry(): Registry {
  const byName = new Map<string, RegisteredTarget[]>();
  const turns = new Map<string, number>();

  const toQuery = (ref: TargetRef | TargetQuery): TargetQuery => {
    const problem = targetRefProblem(ref);
    if (problem) throw new ValidationError('invalid target reference', [{ path: 'target', ...problem }]);
    return parseTargetRef(ref);
  };

  function matching(query: TargetQuery): RegisteredTarget[] {
    let pool: RegisteredTarget[];
    if (query.name !== undefined) pool = byName.get(query.name) ?? [];
    else pool = [...byName.values()].flat();
    return pool.filter(
      (t) =>
        (query.capability === undefined || t.capabilities.includes(query.capability)) &&
        (query.version === undefined ||
          t.version === query.version ||
          semver.satisfies(t.version, query.version, { includePrerelease: true })),
    );
  }

  function ranked(query: TargetQuery): RegisteredTarget[] {
    return matching(query)
      .filter((t) => t.health !== 'down')
      .sort(
        (a, b) =>
          HEALTH_RANK[a.health] - HEALTH_RANK[b.health] ||
          b.priority - a.priority ||
          (query.name !== undefined ? semver.rcompare(a.version, b.version) : 0),
      );
  }

  function notFound(query: TargetQuery): NotFoundError {
    const all = matching(query);
    const label = describeQuery(query);
    const available = [...byName.keys()].sort();
    if (all.length > 0) {
      const unavailable = all.map((t) => ({ name: t.name, version: t.version, reason: 'down' }));
      return new NotFoundError(
        `no usable target for ${label}: every candidate is down (${all.map((t) => t.id).join(', ')})`,
        {
          query: label,
          unavailable,
          available,
        },
      );
    }
    if (query.name !== undefined && byName.has(query.name)) {
      const versions = (byName.get(query.name) ?? []).map((t) => t.version).join(', ');
      return new NotFoundError(
        `no version of ${quoteText(query.name)} satisfies ${clipText(String(query.version))} (registered: ${versions})`,
        {
          query: label,
          available,
        },
      );
    }
    const hint = available.length > 0 ? `registered: ${available.join(', ')}` : 'the registry is empty';
    return new NotFoundError(`no target found for ${label} (${hint})`, { query: label, available });
  }

  return {
    register(definition, options = {}) {
      const { target, problems } = validateRegistration(definition as TargetDefinition);
      if (!target) throw new ValidationError(`invalid registration for ${describeValue(definition?.name)}`, problems);
      const versions = byName.get(target.name) ?? [];
      const existing = versions.findIndex((t) => t.version === target.version);
      if (existing !== -1 && !options.replace) {
        throw new ValidationError(`cannot register "${target.id}"`, [
          { path: 'version', code: 'duplicate', message: `${target.id} is already registered; pass { replace: true }` },
        ]);
      }
      if (existing === -1) versions.push(target);
      else versions[existing] = target;
      byName.set(target.name, versions);
      return target;
    },
    unregister(name, version) {
      const versions = byName.get(name) ?? [];
      const kept = versions.filter((t) => version !== undefined && t.version !== version);
      if (kept.length === 0) byName.delete(name);
      else byName.set(name, kept);
      return versions.length - kept.length;
    },
    setHealth(name, health, version) {
      if (typeof health !== 'string' || !Object.hasOwn(HEALTH_RANK, health)) {
        throw new ValidationError('invalid health', [
          {
            path: 'health',
            code: 'enum',
            message: `health must be healthy, degraded or down, got ${JSON.stringify(health)}`,
          },
        ]);
      }
      const versions = (byName.get(name) ?? []).filter((t) => version === undefined || t.version === version);
      if (versions.length === 0) throw notFound(version === undefined ? { name } : { name, version });
      byName.set(
        name,
        (byName.get(name) ?? []).map((t) => (versions.includes(t) ? { ...t, health } : t)),
      );
    },
    resolve(ref) {
      const query = toQuery(ref);
      const list = ranked(query);
      const best = list[0];
      if (!best) throw notFound(query);
      let equals = 1;
      while (equals < list.length && sameRank(best, list[equals] as RegisteredTarget, query)) equals++;
      if (equals === 1) return best;
      const key = `${query.name ?? ''}|${query.capability ?? ''}|${query.version ?? ''}`;
      const turn = turns.get(key) ?? 0;
      turns.set(key, turn + 1);
      return list[turn % equals] as RegisteredTarget;
    },
    candidates: (ref) => ranked(toQuery(ref)),
    has: (ref) => matching(toQuery(ref)).length > 0,
    describe(ref) {
      const query = toQuery(ref);
      return matching(query).sort(
        (a, b) => b.priority - a.priority || semver.rcompare(a.version, b.version) || a.name.localeCompare(b.name),
      )[0];
    },
    list: () => [...byName.values()].flat(),
  };
}

function sameRank(a: RegisteredTarget, b: RegisteredTarget, query: TargetQuery): boolean {
  return a.health === b.health && a.priority === b.priority && (query.name === undefined || a.version === b.version);
}
