/** Usage a target estimates or a handler reports, checked and summed into totals. */
import { ValidationError } from '../errors/validation-error.js';
import { totalsOf, type UsageTotals } from '../events/run-event.js';
import type { Usage } from '../registry/target.js';

/** Usage as totals, refusing amounts that would poison every later budget check (NaN, negative, not a number). */
export function checkedUsage(usage: Usage, what: string): UsageTotals {
  const totals =
    typeof usage === 'object' && usage !== null ? totalsOf(usage) : { tokens: Number.NaN, costUsd: Number.NaN };
  const problems = (['tokens', 'costUsd'] as const)
    .filter((name) => !(Number.isFinite(totals[name]) && totals[name] >= 0))
    .map((name) => ({
      path: name,
      code: 'range',
      message: `${name} must be a finite number ≥ 0, got ${String(totals[name])}`,
    }));
  if (problems.length > 0) throw new ValidationError(`${what} is not valid usage`, problems);
  return totals;
}
