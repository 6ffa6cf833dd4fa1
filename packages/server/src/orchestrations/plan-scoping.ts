/**
 * Turns a plan as a caller writes it — targets named by service name — into the engine's plan: every target (and
 * fallback) scoped to the project and pinned to the service's current revision, so a run keeps the schemas it was
 * validated against even when the service registers changed ones later. Names that are not registered are reported
 * as problems, all at once, with their paths.
 */
import type { PlanStep, TargetRef } from '@baton/core';
import type { ProblemField } from '../errors/http-problem.js';
import { revisionVersion, scopedTargetName } from '../services/target-name.js';

export type ResolveRevision = (serviceName: string) => Promise<number | undefined>;

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export async function scopePlan(
  plan: Json,
  projectId: string,
  resolve: ResolveRevision,
): Promise<{ plan: Json; problems: ProblemField[] }> {
  const problems: ProblemField[] = [];
  const revisions = new Map<string, number | undefined>();
  const revisionOf = async (name: string) => {
    if (!revisions.has(name)) revisions.set(name, await resolve(name));
    return revisions.get(name);
  };

  const scopeRef = async (ref: unknown, path: string): Promise<unknown> => {
    let name: string | undefined;
    let version: string | undefined;
    if (typeof ref === 'string') {
      const at = ref.indexOf('@');
      name = at === -1 ? ref : ref.slice(0, at);
      version = at === -1 ? undefined : ref.slice(at + 1);
    } else if (isRecord(ref)) {
      if (ref.capability !== undefined) {
        problems.push({
          path,
          code: 'unsupported',
          message: 'the server routes by service name; capability references are not supported',
        });
        return ref;
      }
      name = typeof ref.name === 'string' ? ref.name : undefined;
      version = typeof ref.version === 'string' ? ref.version : undefined;
    }
    if (name === undefined || name === '') return ref;
    const revision = await revisionOf(name);
    if (revision === undefined) {
      problems.push({
        path,
        code: 'unknown-service',
        message: `no service "${name.length > 100 ? `${name.slice(0, 100)}…` : name}" is registered in this project`,
      });
      return ref;
    }
    const scoped = scopedTargetName(projectId, name);
    return `${scoped}@${version ?? revisionVersion(revision)}`;
  };

  const scopeSteps = async (steps: unknown, path: string): Promise<unknown> => {
    if (!Array.isArray(steps)) return steps;
    const out: unknown[] = [];
    for (const [index, step] of steps.entries()) {
      out.push(await scopeStep(step, `${path}[${index}]`));
    }
    return out;
  };

  const scopeStep = async (step: unknown, path: string): Promise<unknown> => {
    if (!isRecord(step)) return step;
    const copy: Json = { ...step };
    if (copy.target !== undefined) copy.target = await scopeRef(copy.target, `${path}.target`);
    if (isRecord(copy.policy) && copy.policy.fallback !== undefined) {
      const fallback = copy.policy.fallback;
      copy.policy = {
        ...copy.policy,
        fallback: Array.isArray(fallback)
          ? await Promise.all(fallback.map((ref, index) => scopeRef(ref, `${path}.policy.fallback[${index}]`)))
          : await scopeRef(fallback, `${path}.policy.fallback`),
      };
    }
    if (isRecord(copy.loop))
      copy.loop = { ...copy.loop, steps: await scopeSteps(copy.loop.steps, `${path}.loop.steps`) };
    return copy;
  };

  const scoped = { ...plan, steps: await scopeSteps(plan.steps, 'plan.steps') };
  return { plan: scoped, problems };
}

/** The service names a plan's steps target, top level and in loops. */
export function targetsOf(steps: readonly PlanStep[]): TargetRef[] {
  return steps.flatMap((step) => [
    ...(step.target === undefined ? [] : [step.target]),
    ...targetsOf(step.loop?.steps ?? []),
  ]);
}
