/**
 * The versions one run locked: every step that names its target is locked when the run starts; fallbacks and
 * capability references when first resolved. A locked step's calls go to its locked version (through the locked
 * migrations) whatever is registered later; a locked version that is gone is a LockedVersionMissingError. A durable
 * run journals each new lock before the call that made it goes on.
 */
import { LockedVersionMissingError } from '../errors/locked-version-missing-error.js';
import type { CompiledGraph, CompiledPlan } from '../plan/compiled-plan.js';
import { type LockedVersion, lockKeyOf, refLabel, type VersionLocks } from '../registry/locked-version.js';
import type { TargetRoute } from '../registry/migrations.js';
import type { Registry } from '../registry/registry.js';
import type { TargetQuery } from '../registry/target-ref.js';

/** Journals new locks; resolves once they are stored. */
export type RecordLocks = (locks: VersionLocks) => Promise<void>;

export interface LockedRoute {
  route: TargetRoute;
  /** The write of a lock made by this call (or an earlier one still in flight); await it before calling. */
  recorded: Promise<void> | undefined;
}

export class VersionLock {
  private readonly locks: Map<string, LockedVersion>;
  private readonly writes = new Map<string, Promise<void>>();

  constructor(
    private readonly registry: Registry,
    locks: VersionLocks = {},
    private readonly record?: RecordLocks,
  ) {
    this.locks = new Map(Object.entries(locks));
  }

  /**
   * Locks every step of `plan` that names its target and has no lock yet: to `seed`'s lock for the same reference
   * (an earlier run's), else to what the reference resolves to now. A step that resolves to nothing stays unlocked
   * and is locked on its first call. Returns the new locks (not journaled: the caller stores them with the run).
   *
   * @example
   * const lock = new VersionLock(registry);
   * lock.lockPlan(compiled); // { summarize: { ref: 'summarize@^1', target: 'summarize@1.4.0' } }
   */
  lockPlan(plan: CompiledPlan, seed: VersionLocks = {}): VersionLocks {
    const added: VersionLocks = {};
    // Steps naming the same reference resolve alike: the registry cannot change while this runs.
    const resolved = new Map<string, LockedVersion | undefined>();
    const resolve = (query: TargetQuery) => {
      const ref = refLabel(query);
      if (!resolved.has(ref)) resolved.set(ref, this.tryLock(query));
      const locked = resolved.get(ref);
      if (locked === undefined) return undefined;
      return locked.migrations === undefined ? { ...locked } : { ...locked, migrations: [...locked.migrations] };
    };
    const visit = (graph: CompiledGraph) => {
      for (const step of graph.steps) {
        if (step.loop) visit(step.loop.body);
        const key = lockKeyOf(step.id, 0);
        if (step.target?.name === undefined || this.locks.has(key)) continue;
        const locked = seedFor(seed, key, step.target) ?? resolve(step.target);
        if (locked === undefined) continue;
        this.locks.set(key, locked);
        added[key] = locked;
      }
    };
    visit(plan.graph);
    return added;
  }

  /** Every lock so far, as stored. */
  snapshot(): VersionLocks {
    return Object.fromEntries(this.locks);
  }

  /**
   * The route of a step's target (`index` 0) or of its `index`-th fallback: its lock, or — when it has none — what the
   * reference resolves to now, locked (and journaled) from here on.
   */
  route(stepId: string, index: number, query: TargetQuery): LockedRoute {
    const key = lockKeyOf(stepId, index);
    const ref = refLabel(query);
    const locked = this.locks.get(key);
    if (locked !== undefined && locked.ref === ref) {
      return { route: this.follow(stepId, locked), recorded: this.writes.get(key) };
    }
    const route = this.registry.route(query);
    const lock = lockOf(ref, route);
    this.locks.set(key, lock);
    const recorded = this.record?.({ [key]: lock });
    if (recorded) this.writes.set(key, recorded);
    return { route, recorded };
  }

  private tryLock(query: TargetQuery): LockedVersion | undefined {
    try {
      return lockOf(refLabel(query), this.registry.route(query));
    } catch {
      return undefined;
    }
  }

  /** The route a lock names, refusing to go anywhere else. */
  private follow(stepId: string, locked: LockedVersion): TargetRoute {
    const at = locked.target.indexOf('@');
    const name = locked.target.slice(0, at);
    const version = locked.target.slice(at + 1);
    const target = this.registry.get(name, version);
    if (target === undefined) {
      const registered = this.registry
        .list()
        .filter((t) => t.name === name)
        .map((t) => t.version);
      throw new LockedVersionMissingError({ stepId, target: locked.target, registered });
    }
    // Down: the registry's own refusal, which says so (and lets the step fall back).
    if (target.health === 'down') this.registry.resolve({ name, version });
    if (locked.migrations === undefined) {
      return { target, versions: [], migrations: [], input: target.input, output: target.output };
    }
    const migrations = this.registry.migrationChain(name, locked.migrations);
    const first = migrations[0];
    return { target, versions: locked.migrations, migrations, input: first?.fromInput, output: first?.fromOutput };
  }
}

function lockOf(ref: string, route: TargetRoute): LockedVersion {
  const lock: LockedVersion = { ref, target: route.target.id };
  if (route.migrations.length > 0) lock.migrations = [...route.versions];
  return lock;
}

function seedFor(seed: VersionLocks, key: string, query: TargetQuery): LockedVersion | undefined {
  const locked = Object.hasOwn(seed, key) ? seed[key] : undefined;
  return locked?.ref === refLabel(query) ? { ...locked } : undefined;
}
