/**
 * How the plan of an action in plain words was chosen, as lines: the template and its similarity, the plan cache,
 * or the model with every attempt, its problems, tokens and cost.
 */
import type { PlanningDecisionBody } from '@baton/protocol';
import { clip, formatDuration } from './text-format.js';

const cost = (usd: number) => `$${usd < 0.01 && usd > 0 ? usd.toFixed(6) : usd.toFixed(4)}`;
const similarity = (value: number | undefined) => (value === undefined ? '' : `similarity ${value.toFixed(3)}`);

/**
 * @example
 * planningSummary({ planner: 'template', template: 'weather', similarity: 0.93, usage });
 * // ['Planned by: template "weather" (similarity 0.930)']
 */
export function planningSummary(planning: PlanningDecisionBody | null | undefined): string[] {
  if (planning === null || planning === undefined) return ['Planned by: the caller (an explicit plan)'];
  const usage = `${planning.usage.inputTokens + planning.usage.outputTokens} tokens, ${cost(planning.usage.costUsd)}`;
  if (planning.planner === 'template') {
    const details = [similarity(planning.similarity), planning.example ? `example "${clip(planning.example, 60)}"` : '']
      .filter(Boolean)
      .join(', ');
    return [`Planned by: template "${planning.template ?? '?'}"${details ? ` (${details})` : ''}`];
  }
  if (planning.planner === 'cache') {
    const details = [
      similarity(planning.similarity),
      planning.cachedAction ? `cached action "${clip(planning.cachedAction, 60)}"` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return [`Planned by: plan cache${details ? ` (${details})` : ''}`];
  }
  const attempts = planning.attempts ?? [];
  const lines = [
    `Planned by: model${planning.model ? ` ${planning.model}` : ''} in ${attempts.length} attempt${attempts.length === 1 ? '' : 's'} (${usage})`,
  ];
  for (const attempt of attempts) {
    const tokens = attempt.usage.inputTokens + attempt.usage.outputTokens;
    const problems = attempt.problems.map((problem) => `${problem.path || '(plan)'}: ${problem.message}`);
    const why = [...problems, ...(attempt.error ? [attempt.error] : [])];
    lines.push(
      `  attempt ${attempt.attempt}: ${attempt.outcome} (${formatDuration(attempt.durationMs)}, ${tokens} tokens, ${cost(attempt.usage.costUsd)})${why.length > 0 ? ` — ${clip(why.join('; '), 300)}` : ''}`,
    );
  }
  return lines;
}
