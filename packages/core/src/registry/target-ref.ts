/**
 * How a plan step names what it calls: `"summarize"`, `"summarize@^2.1"` (a semver range), or
 * `{ capability: "search" }` (any healthy target with that capability, optionally within a version range).
 */
export type TargetRef = string | { name?: string; capability?: string; version?: string };

export interface TargetQuery {
  name?: string;
  capability?: string;
  /** A semver range; `undefined` means the highest version. */
  version?: string;
}

export function parseTargetRef(ref: TargetRef): TargetQuery {
  if (typeof ref === 'string') {
    const at = ref.indexOf('@');
    return at === -1 ? { name: ref } : { name: ref.slice(0, at), version: ref.slice(at + 1) };
  }
  const query: TargetQuery = {};
  if (ref.name !== undefined) query.name = ref.name;
  if (ref.capability !== undefined) query.capability = ref.capability;
  if (ref.version !== undefined) query.version = ref.version;
  return query;
}

export function describeQuery(query: TargetQuery): string {
  const base = query.name ?? `capability "${query.capability}"`;
  return query.version ? `${base} (version ${query.version})` : base;
}
