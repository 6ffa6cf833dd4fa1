/**
 * The registry of agents, services and tools. Lookups go by name, name + semver range, or capability; healthy
 * targets come before degraded ones, higher priority first, with round-robin among equals. Down targets are never
 * returned, and a failed lookup says which candidates were down. Several versions of a name live side by side, with
 * migrations between them (`migrate`) that serve ranges no registered version satisfies (`route`).
 */
import semver from 'semver';
import { describeValue } from '../errors/describe-value.js';
import { NoMigrationPathError } from '../errors/no-migration-path-error.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { clipText, quoteText } from '../errors/quote-text.js';
import { ValidationError } from '../errors/validation-error.js';
import {
  type MigrationDefinition,
  MigrationGraph,
  type RegisteredMigration,
  type TargetRoute,
  validateMigration,
} from './migrations.js';
import type { Health, RegisteredTarget, TargetDefinition } from './target.js';
import { describeQuery, parseTargetRef, type TargetQuery, type TargetRef, targetRefProblem } from './target-ref.js';
import { isValidTargetName, validateRegistration } from './validate-registration.js';

export interface RegisterOptions {
  /** Replace a target already registered with the same name and version. @default false */
  replace?: boolean;
}

export interface Registry {
  register<I, O>(definition: TargetDefinition<I, O>, options?: RegisterOptions): RegisteredTarget;
  /** Removes one version, or every version when `version` is omitted. Returns how many were removed. */
  unregister(name: string, version?: string): number;
  /** Marks one version, or every version, healthy, degraded or down; `reason` is said when it cannot be used. */
  setHealth(name: string, health: Health, version?: string, reason?: string): void;
  /** The best target for a reference or query; throws NotFoundError saying what was down or missing. */
  resolve(ref: TargetRef | TargetQuery): RegisteredTarget;
  /** Every usable target for a query, best first (without advancing round-robin). */
  candidates(ref: TargetRef | TargetQuery): RegisteredTarget[];
  /** Whether a lookup could succeed ignoring health: used by plan validation. */
  has(ref: TargetRef | TargetQuery): boolean;
  /** The target that plan validation checks a step against: the best match ignoring health. */
  describe(ref: TargetRef | TargetQuery): RegisteredTarget | undefined;
  list(): RegisteredTarget[];
  /** The target registered as exactly `name@version`, whatever its health; no ranges, no round-robin. */
  get(name: string, version: string): RegisteredTarget | undefined;
  /**
   * Registers a migration between two exact versions of a target (the versions need not be registered). Steps that
   * pin a range no registered version satisfies are then served through the shortest chain of migrations.
   */
  migrate<OldInput, NewInput, NewOutput, OldOutput>(
    definition: MigrationDefinition<OldInput, NewInput, NewOutput, OldOutput>,
    options?: RegisterOptions,
  ): RegisteredMigration;
  /** The migrations registered for `name`, or for every name. */
  migrations(name?: string): RegisteredMigration[];
  /**
   * How a call of `ref` is served: like `resolve`, or — for a name and range no registered version satisfies — the
   * highest usable version reachable through migrations, with the chain. Throws NotFoundError, or
   * NoMigrationPathError when the name has migrations but none leads from the range to a registered version.
   */
  route(ref: TargetRef | TargetQuery): TargetRoute;
  /** Like `route` but ignoring health, as plan validation sees a step; throws the same errors. */
  describeRoute(ref: TargetRef | TargetQuery): TargetRoute;
  /** The migrations along `versions` of `name` (`['1.0.0', '2.0.0']`); throws NoMigrationPathError if one is gone. */
  migrationChain(name: string, versions: readonly string[]): RegisteredMigration[];
}

const HEALTH_RANK: Record<Health, number> = { healthy: 0, degraded: 1, down: 2 };

/**
 * @example
 * const registry = createRegistry();
 * registry.register({ name: 'lookup', description: 'Finds a customer', handler: async ({ id }) => db.find(id) });
 * registry.resolve({ capability: 'search' });
 * // Plans written for summarize 1.x keep working once only 2.0.0 is registered:
 * registry.migrate({ name: 'summarize', from: '1.0.0', to: '2.0.0', input: ({ body }) => ({ text: body }) });
 * registry.route('summarize@^1'); // { target: summarize@2.0.0, versions: ['1.0.0', '2.0.0'], migrations: [...] }
 */
export function createRegistry(): Registry {
  const byName = new Map<string, RegisteredTarget[]>();
  const turns = new Map<string, number>();
  const graphs = new Map<string, MigrationGraph>();

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
      const unavailable = all.map((t) => ({ name: t.name, version: t.version, reason: t.healthReason ?? 'down' }));
      const candidates = all.map((t) => (t.healthReason === undefined ? t.id : `${t.id}: ${t.healthReason}`));
      return new NotFoundError(`no usable target for ${label}: every candidate is down (${candidates.join(', ')})`, {
        query: label,
        unavailable,
        available,
      });
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

  function resolve(ref: TargetRef | TargetQuery): RegisteredTarget {
    return resolveQuery(toQuery(ref));
  }

  function resolveQuery(query: TargetQuery): RegisteredTarget {
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
  }

  function describe(ref: TargetRef | TargetQuery): RegisteredTarget | undefined {
    const query = toQuery(ref);
    return matching(query).sort(
      (a, b) => b.priority - a.priority || semver.rcompare(a.version, b.version) || a.name.localeCompare(b.name),
    )[0];
  }

  /** A route through migrations for a name whose range no registered version satisfies; `usable` filters targets. */
  function migratedRoute(query: TargetQuery, usable: (t: RegisteredTarget) => boolean): TargetRoute | undefined {
    const { name, version } = query;
    const graph = name === undefined ? undefined : graphs.get(name);
    if (name === undefined || version === undefined || graph === undefined || matching(query).length > 0) {
      return undefined;
    }
    const registered = byName.get(name) ?? [];
    const versions = graph.shortestPath(
      version,
      registered.filter(usable).map((t) => t.version),
    );
    if (versions === undefined) {
      const reachable = graph.shortestPath(
        version,
        registered.map((t) => t.version),
      );
      if (reachable !== undefined) throw notFound({ name, version: reachable.at(-1) as string });
      throw new NoMigrationPathError({ name, from: version, to: registered.map((t) => t.version) });
    }
    const target = registered.find((t) => t.version === versions.at(-1)) as RegisteredTarget;
    const migrations = graph.along(versions) as RegisteredMigration[];
    const first = migrations[0] as RegisteredMigration;
    return { target, versions, migrations, input: first.fromInput, output: first.fromOutput };
  }

  const direct = (target: RegisteredTarget): TargetRoute => ({
    target,
    versions: [],
    migrations: [],
    input: target.input,
    output: target.output,
  });

  return {
    migrate(definition, options = {}) {
      const { migration, problems } = validateMigration(definition as MigrationDefinition, isValidTargetName);
      if (!migration) throw new ValidationError(`invalid migration for ${describeValue(definition?.name)}`, problems);
      const graph = graphs.get(migration.name) ?? new MigrationGraph();
      if (graph.has(migration.from, migration.to) && !options.replace) {
        const label = `${migration.name} ${migration.from} → ${migration.to}`;
        throw new ValidationError(`cannot register the migration ${label}`, [
          { path: 'to', code: 'duplicate', message: `${label} is already registered; pass { replace: true }` },
        ]);
      }
      graph.add(migration);
      graphs.set(migration.name, graph);
      return migration;
    },
    migrations: (name) =>
      name === undefined ? [...graphs.values()].flatMap((g) => g.list()) : (graphs.get(name)?.list() ?? []),
    route(ref) {
      const query = toQuery(ref);
      return migratedRoute(query, (t) => t.health !== 'down') ?? direct(resolveQuery(query));
    },
    describeRoute(ref) {
      const query = toQuery(ref);
      const route = migratedRoute(query, () => true);
      if (route) return route;
      const target = describe(query);
      if (!target) throw notFound(query);
      return direct(target);
    },
    migrationChain(name, versions) {
      const chain = graphs.get(name)?.along(versions);
      if (chain === undefined) {
        throw new NoMigrationPathError({ name, from: versions[0] ?? '', to: versions.slice(-1) });
      }
      return chain;
    },
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
    setHealth(name, health, version, reason) {
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
        (byName.get(name) ?? []).map((t) => {
          if (!versions.includes(t)) return t;
          const { healthReason: _previous, ...rest } = t;
          return health === 'healthy' || reason === undefined
            ? { ...rest, health }
            : { ...rest, health, healthReason: reason };
        }),
      );
    },
    resolve,
    candidates: (ref) => ranked(toQuery(ref)),
    has: (ref) => matching(toQuery(ref)).length > 0,
    describe,
    list: () => [...byName.values()].flat(),
    get: (name, version) => byName.get(name)?.find((t) => t.version === version),
  };
}

function sameRank(a: RegisteredTarget, b: RegisteredTarget, query: TargetQuery): boolean {
  return a.health === b.health && a.priority === b.priority && (query.name === undefined || a.version === b.version);
}
