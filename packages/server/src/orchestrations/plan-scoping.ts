/**
 * Turns a plan as a caller writes it — targets named by service name — into the engine's plan: every target (and
 * fallback) scoped to the project and pinned to the service's current revision, so a run keeps the schemas it was
 * validated against even when the service registers changed ones later. Names that are not registered are reported
 * as problems, all at once, with their paths. The revision each name resolved to comes back too: a target pinned to a
 * version range names no revision in the plan, yet its schemas are those of the service's current one.
 */
import type { PlanStep, TargetRef } from '@baton/core';
import type { ProblemField } from '../errors/http-problem.js';
import { capabilityProblem, isCapabilityRef, mapPlanTargets, serviceRefOf } from '../services/plan-targets.js';
import { revisionVersion, scopedTargetName } from '../services/target-name.js';

export type ResolveRevision = (serviceName: string) => Promise<number | undefined>;

type Json = Record<string, unknown>;

export async function scopePlan(
  plan: Json,
  projectId: string,
  resolve: ResolveRevision,
  /** The project's service names, asked for only when a name is not registered, to list them in its problem. */
  registered: () => Promise<string[]> = async () => [],
): Promise<{ plan: Json; problems: ProblemField[]; revisions: ReadonlyMap<string, number | undefined> }> {
  const problems: ProblemField[] = [];
  let names: Promise<string[]> | undefined;
  const listed = async () => {
    names ??= registered();
    const known = [...new Set(await names)].sort();
    if (known.length === 0) return ' (none is registered yet: start a service that registers over GET /v1/ws)';
    return ` (registered: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''})`;
  };
  const revisions = new Map<string, number | undefined>();
  const revisionOf = async (name: string) => {
    if (!revisions.has(name)) revisions.set(name, await resolve(name));
    return revisions.get(name);
  };

  const scopeRef = async (ref: unknown, path: string): Promise<unknown> => {
    if (isCapabilityRef(ref)) {
      problems.push(capabilityProblem(path));
      return ref;
    }
    const named = serviceRefOf(ref);
    if (named === undefined) return ref;
    const { name, version } = named;
    const revision = await revisionOf(name);
    if (revision === undefined) {
      problems.push({
        path,
        code: 'unknown-service',
        message: `no service "${name.length > 100 ? `${name.slice(0, 100)}…` : name}" is registered in this project${await listed()}`,
      });
      return ref;
    }
    const scoped = scopedTargetName(projectId, name);
    return `${scoped}@${version ?? revisionVersion(revision)}`;
  };

  return { plan: await mapPlanTargets(plan, 'plan', scopeRef), problems, revisions };
}

/** The service names a plan's steps target, top level and in loops. */
export function targetsOf(steps: readonly PlanStep[]): TargetRef[] {
  return steps.flatMap((step) => [
    ...(step.target === undefined ? [] : [step.target]),
    ...targetsOf(step.loop?.steps ?? []),
  ]);
}
