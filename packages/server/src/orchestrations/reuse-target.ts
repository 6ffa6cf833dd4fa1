/**
 * The target a retried orchestration uses in place of a step that succeeded before: it returns that step's output,
 * given as its input, without calling the service again. Its name is not one a project's plan can reach (project
 * targets are all scoped by project), and it has no effects.
 */
import type { TargetDefinition } from '@baton/core';

export const REUSE_TARGET = 'baton.reuse';

export const reuseTarget: TargetDefinition<{ output: unknown }, unknown> = {
  name: REUSE_TARGET,
  kind: 'tool',
  description: 'Returns the output a step produced in an earlier attempt of the orchestration.',
  effects: 'none',
  handler: (input) => input.output,
};
