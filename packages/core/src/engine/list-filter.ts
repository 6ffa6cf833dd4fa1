/**
 * Checks the filter of `engine.approvals()` and `engine.failedCompensations()`. A status the list cannot hold (a
 * typo such as `'pendng'`) or a key it does not read used to answer an empty list, as if nothing matched.
 */
import { closestName } from '../errors/closest-name.js';
import { describeValue } from '../errors/describe-value.js';
import { clipText } from '../errors/quote-text.js';
import { type Problem, ValidationError } from '../errors/validation-error.js';
import type { ApprovalStatus, CompensationStatus } from '../storage/run-store.js';

const APPROVAL_STATUSES: Record<ApprovalStatus, true> = {
  pending: true,
  approved: true,
  rejected: true,
  expired: true,
  withdrawn: true,
};
const COMPENSATION_STATUSES: Record<CompensationStatus, true> = { open: true, resolved: true, ignored: true };
const FILTER_KEYS = ['runId', 'status'];

function check(list: string, statuses: readonly string[], filter: unknown): void {
  if (filter === undefined) return;
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new ValidationError(`invalid ${list} filter`, [
      { path: '', code: 'type', message: `the filter must be an object, got ${describeValue(filter)}` },
    ]);
  }
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (key === 'runId') {
      if (typeof value !== 'string' || value === '') {
        problems.push({
          path: key,
          code: 'type',
          message: `runId must be a non-empty string, got ${describeValue(value)}`,
        });
      }
    } else if (key === 'status') {
      if (typeof value !== 'string' || !statuses.includes(value)) {
        const meant = typeof value === 'string' ? closestName(value, statuses) : undefined;
        problems.push({
          path: key,
          code: 'enum',
          message: `status must be one of ${statuses.join(', ')}, got ${describeValue(value)}${meant ? ` (did you mean "${meant}"?)` : ''}`,
        });
      }
    } else {
      const meant = closestName(key, FILTER_KEYS);
      problems.push({
        path: key,
        code: 'unknown',
        message: `"${clipText(key, 60)}" is not a filter of ${list}${meant ? ` (did you mean "${meant}"?)` : ''}; filter by runId or status`,
      });
    }
  }
  if (problems.length > 0) throw new ValidationError(`invalid ${list} filter`, problems);
}

export function checkApprovalFilter(filter: unknown): void {
  check('approvals', Object.keys(APPROVAL_STATUSES), filter);
}

export function checkCompensationFilter(filter: unknown): void {
  check('failed compensations', Object.keys(COMPENSATION_STATUSES), filter);
}
