/**
 * What is wrong with a plan template's plan as a plan — references to steps that are not there, cycles, duplicate step
 * ids, bad step options — found when the template is registered. Its services are not checked then: they are resolved
 * when the template is used (a template may be registered before its services connect, and they may change later), so
 * every service the plan names stands in here as one that takes any input and gives any output.
 */
import { createRegistry, type Problem, validatePlan } from '@baton/core';
import { capabilityProblem, isCapabilityRef, mapPlanTargets, serviceRefOf } from '../services/plan-targets.js';

/** The one target every service of a template's plan is checked as. */
const STAND_IN = 'service';

const standIns = createRegistry();
standIns.register({ name: STAND_IN, description: 'any service a template names', handler: (input) => input });

/** Every problem of `plan`'s structure, with paths under `plan.`; services are not looked up. */
export async function templatePlanProblems(plan: Record<string, unknown>): Promise<Problem[]> {
  const problems: Problem[] = [];
  const standing = await mapPlanTargets(plan, '', async (ref, path) => {
    if (isCapabilityRef(ref)) {
      problems.push(capabilityProblem(`plan.${path}`));
      return STAND_IN;
    }
    return serviceRefOf(ref) === undefined ? ref : STAND_IN;
  });
  const validation = validatePlan(standing, standIns);
  if (!validation.valid) {
    for (const problem of validation.problems) problems.push({ ...problem, path: `plan.${problem.path}` });
  }
  return problems.sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
}
