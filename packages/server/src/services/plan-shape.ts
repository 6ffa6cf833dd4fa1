/**
 * A plan's structure — its steps, what each waits for, its parallel groups — without its services: every service it
 * names stands in as one that takes any input and gives any output. A replica reads the shape of a plan whose
 * services it may not have (they connected to another replica, or are gone), and a template's plan is checked before
 * its services connect.
 */
import { type CompiledPlan, createRegistry, type Problem, validatePlan } from '@baton/core';
import { capabilityProblem, isCapabilityRef, mapPlanTargets, serviceRefOf } from './plan-targets.js';

/** The one target every service of a plan stands in as. */
const STAND_IN = 'service';

const standIns = createRegistry();
standIns.register({ name: STAND_IN, description: 'any service a plan names', handler: (input) => input });

export type PlanShape = { plan: CompiledPlan; problems: [] } | { plan?: undefined; problems: Problem[] };

/** `plan` validated with a stand-in for each service; every problem of its structure (a capability target is one). */
export async function planShape(plan: Record<string, unknown>): Promise<PlanShape> {
  const problems: Problem[] = [];
  const standing = await mapPlanTargets(plan, '', async (ref, path) => {
    if (isCapabilityRef(ref)) {
      problems.push(capabilityProblem(path));
      return STAND_IN;
    }
    return serviceRefOf(ref) === undefined ? ref : STAND_IN;
  });
  const validation = validatePlan(standing, standIns);
  if (!validation.valid) problems.push(...validation.problems);
  return problems.length === 0 && validation.valid ? { plan: validation.plan, problems: [] } : { problems };
}
