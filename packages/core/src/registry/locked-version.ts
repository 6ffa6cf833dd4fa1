/**
 * What a run locks for each step: the target version its reference resolved to (and the migrations that serve it),
 * so that every call of the step — retries, fallbacks, a resume after a crash, a retried orchestration — uses that
 * version even once a newer one is registered.
 */

/** One step's lock. Stored as JSON in the run's journal. */
export interface LockedVersion {
  /** The reference as the plan wrote it (`summarize@^1`, `capability:search`): a lock serves only that reference. */
  ref: string;
  /** `name@version` of the registered target its calls go to. */
  target: string;
  /** When migrations serve the reference: the versions walked, from the one asked for to the target's. */
  migrations?: string[];
}

/**
 * The locks of a run, by key: the step id for its own target, `<step id>#fallback-<n>` for its n-th fallback (1-based).
 */
export type VersionLocks = Record<string, LockedVersion>;

/**
 * The lock key of a step's target (`index` 0) or of its `index`-th fallback.
 *
 * @example
 * lockKeyOf('draft', 0); // 'draft'
 * lockKeyOf('draft', 2); // 'draft#fallback-2'
 */
export function lockKeyOf(stepId: string, index: number): string {
  return index === 0 ? stepId : `${stepId}#fallback-${index}`;
}

/**
 * How a lock names a reference.
 *
 * @example
 * refLabel({ name: 'summarize', version: '^1' }); // 'summarize@^1'
 * refLabel({ capability: 'search' }); // 'capability:search'
 */
export function refLabel(query: { name?: string; capability?: string; version?: string }): string {
  const base = query.name ?? `capability:${query.capability}`;
  return query.version ? `${base}@${query.version}` : base;
}
