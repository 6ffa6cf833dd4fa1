/**
 * The steps a run executing on another replica has begun. The journal records a step only when it ends, so a replica
 * that does not hold the run tells a begun step from one not reached by the steps it waits for: it has no entry of
 * its own, and every step it waits for has ended — at least one of them succeeded for `trigger: 'any'`, every one
 * otherwise, as the engine decides what runs. Such a step is running on the replica holding the run, or waiting
 * there for a service, a retry's pause or a free slot, which only that replica sees.
 */
import type { CompiledPlan } from '@baton/core';

/** What a step waits for before it runs: the ids of the steps it depends on, and how many must succeed. */
export interface StepNeeds {
  readonly id: string;
  readonly deps: readonly string[];
  readonly trigger: 'all' | 'any';
}

/** The top-level steps of `plan` with the steps each waits for. */
export function stepNeeds(plan: CompiledPlan): StepNeeds[] {
  const steps = plan.graph.steps;
  return steps.map((step) => ({
    id: step.id,
    deps: step.deps.map((index) => steps[index]?.id as string),
    trigger: step.trigger,
  }));
}

/**
 * The ids in `needs` of steps that have begun, given how the steps that ended did (`ended`, by step id, from the
 * journal): those with no entry whose dependencies have all ended and let them run.
 */
export function startedElsewhere(
  needs: readonly StepNeeds[],
  ended: ReadonlyMap<string, { status: string }>,
): Set<string> {
  const started = new Set<string>();
  for (const step of needs) {
    if (ended.has(step.id)) continue;
    const outcomes = step.deps.map((id) => ended.get(id)?.status);
    if (outcomes.some((status) => status === undefined)) continue;
    const succeeded = outcomes.filter((status) => status === 'succeeded').length;
    if (step.trigger === 'any' ? succeeded > 0 || step.deps.length === 0 : succeeded === step.deps.length) {
      started.add(step.id);
    }
  }
  return started;
}
