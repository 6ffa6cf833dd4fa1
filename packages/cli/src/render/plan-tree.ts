/**
 * A plan drawn as a tree of its parallel groups: the steps of one group run at the same time, the groups one after
 * the other. Each step shows what it calls (its service, a capability, or a loop, approval or wait).
 */
import { padEnd, stringWidth } from './text-format.js';

export interface PlanLike {
  steps: ReadonlyArray<{ id: string } & Record<string, unknown>>;
}

/** What a step calls, as a person reads it: `weather`, `weather@^2`, `capability search`, `approval`. */
export function stepTarget(step: Record<string, unknown>): string {
  const target = step.target;
  if (typeof target === 'string') return target;
  if (typeof target === 'object' && target !== null) {
    const { name, capability, version } = target as Record<string, unknown>;
    const base = typeof name === 'string' ? name : typeof capability === 'string' ? `capability ${capability}` : '?';
    return typeof version === 'string' ? `${base}@${version}` : base;
  }
  for (const kind of ['loop', 'approval', 'wait'] as const) if (step[kind] !== undefined) return kind;
  return '-';
}

/** Each step's target by id. */
export function stepTargets(plan: PlanLike): Map<string, string> {
  return new Map(plan.steps.map((step) => [step.id, stepTarget(step)]));
}

/**
 * @example
 * planTree(plan, [['a', 'b'], ['sum']]);
 * // Plan: 3 steps in 2 parallel groups
 * // ├─ group 1
 * // │  ├─ a    → weather
 * // …
 */
export function planTree(
  plan: PlanLike,
  parallelGroups: readonly (readonly string[])[],
  detail: (stepId: string) => string = () => '',
): string[] {
  const targets = stepTargets(plan);
  const grouped = new Set(parallelGroups.flat());
  // Steps no group names (there should be none) still show, in a last group, rather than vanish.
  const rest = plan.steps.map((step) => step.id).filter((id) => !grouped.has(id));
  const groups = rest.length === 0 ? parallelGroups : [...parallelGroups, rest];
  const idWidth = Math.max(0, ...plan.steps.map((step) => stringWidth(step.id)));
  const targetWidth = Math.max(0, ...[...targets.values()].map((target) => stringWidth(target)));
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const lines = [`Plan: ${count(plan.steps.length, 'step')} in ${count(groups.length, 'parallel group')}`];
  groups.forEach((group, index) => {
    const lastGroup = index === groups.length - 1;
    lines.push(`${lastGroup ? '└─' : '├─'} group ${index + 1}`);
    group.forEach((id, position) => {
      const branch = position === group.length - 1 ? '└─' : '├─';
      const extra = detail(id);
      const target = padEnd(targets.get(id) ?? '?', extra ? targetWidth : 0);
      lines.push(
        `${lastGroup ? '   ' : '│  '}${branch} ${padEnd(id, idWidth)}  → ${target}${extra ? `  ${extra}` : ''}`,
      );
    });
  });
  return lines;
}
