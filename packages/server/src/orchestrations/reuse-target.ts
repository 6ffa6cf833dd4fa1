/**
 * The target a retried orchestration uses in place of a step that succeeded before: it returns that step's output,
 * given as its input, without calling the service again. Its name is not one a project's plan can reach (project
 * targets are all scoped by project), and it has no effects. Its input also keeps the service and input the step
 * first ran with (`from`), which the orchestration's view shows for it.
 */
import type { TargetDefinition } from '@baton/core';

export const REUSE_TARGET = 'baton.reuse';

/** What a reused step first ran on: the engine's target name (scoped, with its version) and its input. */
export interface ReusedFrom {
  target: string | null;
  input: unknown;
}

/** The steps of a run's plan that reuse an earlier output, by id, with what they first ran on. */
export function reusedSteps(plan: unknown): Map<string, ReusedFrom> {
  const reused = new Map<string, ReusedFrom>();
  const steps = (plan as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps)) return reused;
  for (const step of steps as Array<{ id?: unknown; target?: unknown; input?: { from?: { $literal?: ReusedFrom } } }>) {
    const from = step?.input?.from?.$literal;
    if (step?.target === REUSE_TARGET && typeof step.id === 'string' && from !== undefined) reused.set(step.id, from);
  }
  return reused;
}

export const reuseTarget: TargetDefinition<{ output: unknown; from?: ReusedFrom }, unknown> = {
  name: REUSE_TARGET,
  kind: 'tool',
  description: 'Returns the output a step produced in an earlier attempt of the orchestration.',
  effects: 'none',
  handler: (input) => input.output,
};
