/**
 * What is wrong with a plan template's plan as a plan — references to steps that are not there, cycles, duplicate step
 * ids, bad step options — found when the template is registered. Its services are not checked then: they are resolved
 * when the template is used (a template may be registered before its services connect, and they may change later), so
 * every service the plan names stands in as one that takes any input and gives any output (`planShape`).
 */
import type { Problem } from '@baton/core';
import { planShape } from '../services/plan-shape.js';

/** Every problem of `plan`'s structure, with paths under `plan.`; services are not looked up. */
export async function templatePlanProblems(plan: Record<string, unknown>): Promise<Problem[]> {
  const { problems } = await planShape(plan);
  return problems
    .map((problem) => ({ ...problem, path: `plan.${problem.path}` }))
    .sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
}
