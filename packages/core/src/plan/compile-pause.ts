/**
 * Validates and compiles the steps that pause a run: `approval` (a person decides) and `wait` (a durable timer).
 * Their templates and references are compiled like inputs and make the step depend on what they read.
 */

import { describeValue } from '../errors/describe-value.js';
import { quoteText } from '../errors/quote-text.js';
import type { Problem } from '../errors/validation-error.js';
import { isRecord } from '../schema/is-record.js';
import { appendKey } from '../schema/value-shape.js';
import type { CompiledApproval, CompiledWait } from './compiled-plan.js';
import type { PathSegment } from './expression.js';
import type { PlanStep } from './plan.js';
import { compileValue, formatPath } from './reference.js';

type RefCheck = (path: readonly PathSegment[], location: string) => void;

const APPROVAL_KEYS = ['prompt', 'data', 'expiresInMs', 'onExpire', 'default'];
const WAIT_KEYS = ['durationMs', 'until'];

function unknownKeys(value: Record<string, unknown>, allowed: string[], path: string, problems: Problem[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      problems.push({
        path: appendKey(path, key),
        code: 'unknown-option',
        message: `unknown option ${quoteText(key)} (known: ${allowed.join(', ')})`,
      });
    }
  }
}

export function compileApproval(
  step: PlanStep,
  path: string,
  problems: Problem[],
  refCheck: RefCheck,
): CompiledApproval | undefined {
  const spec = step.approval;
  if (spec === undefined) return undefined;
  const where = `${path}.approval`;
  if (!isRecord(spec)) {
    problems.push({
      path: where,
      code: 'type',
      message: 'approval must be an object like { prompt: "Refund {{request.data.amount}}?" }',
    });
    return undefined;
  }
  unknownKeys(spec, APPROVAL_KEYS, where, problems);
  if (typeof spec.prompt !== 'string' || spec.prompt.trim() === '') {
    problems.push({
      path: `${where}.prompt`,
      code: 'required',
      message: 'an approval needs a prompt that says what to decide',
    });
  }
  const expires = spec.expiresInMs;
  if (expires !== undefined && (typeof expires !== 'number' || !Number.isFinite(expires) || expires <= 0)) {
    problems.push({
      path: `${where}.expiresInMs`,
      code: 'range',
      message: `expiresInMs must be a positive number, got ${describeValue(expires)}`,
    });
  }
  const onExpire = spec.onExpire ?? 'fail';
  if (onExpire !== 'fail' && onExpire !== 'default') {
    problems.push({
      path: `${where}.onExpire`,
      code: 'enum',
      message: `onExpire must be "fail" or "default", got ${describeValue(onExpire)}`,
    });
  }
  if (onExpire === 'default' && !('default' in spec)) {
    problems.push({ path: `${where}.default`, code: 'required', message: 'onExpire "default" needs a default value' });
  }
  const prompt = compileValue(typeof spec.prompt === 'string' ? spec.prompt : '', `${where}.prompt`, problems);
  const data = compileValue(spec.data ?? null, `${where}.data`, problems);
  for (const ref of prompt.refs) refCheck(ref.path, `${where}.prompt`);
  for (const ref of data.refs) refCheck(ref.path, formatPath([`${where}.data`, ...ref.at]));
  return {
    prompt,
    data,
    expiresInMs: typeof expires === 'number' ? expires : undefined,
    onExpire,
    default: spec.default,
  };
}

export function compileWait(
  step: PlanStep,
  path: string,
  problems: Problem[],
  refCheck: RefCheck,
): CompiledWait | undefined {
  const spec = step.wait;
  if (spec === undefined) return undefined;
  const where = `${path}.wait`;
  if (!isRecord(spec)) {
    problems.push({
      path: where,
      code: 'type',
      message: 'wait must be an object like { durationMs: 60000 } or { until: "2030-01-01T00:00:00Z" }',
    });
    return undefined;
  }
  unknownKeys(spec, WAIT_KEYS, where, problems);
  const hasDuration = spec.durationMs !== undefined;
  const hasUntil = spec.until !== undefined;
  if (hasDuration === hasUntil) {
    problems.push({ path: where, code: 'required', message: 'a wait needs exactly one of durationMs or until' });
    return undefined;
  }
  if (hasDuration) {
    const ms = spec.durationMs;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_WAIT_MS) {
      problems.push({
        path: `${where}.durationMs`,
        code: 'range',
        message: `durationMs must be a number from 0 to ${MAX_WAIT_MS} (100 years), got ${describeValue(ms)}`,
      });
      return undefined;
    }
    return { durationMs: ms, until: undefined };
  }
  const until = compileValue(spec.until, `${where}.until`, problems);
  for (const ref of until.refs) refCheck(ref.path, `${where}.until`);
  if (until.constant && parseWaitUntil(until.resolve(() => undefined)) === undefined) {
    problems.push({
      path: `${where}.until`,
      code: 'type',
      message: `until must be an ISO 8601 date or milliseconds since the epoch, got ${describeValue(spec.until)}`,
    });
  }
  return { durationMs: undefined, until };
}

/** The longest wait a plan may ask for: 100 years, in ms. */
export const MAX_WAIT_MS = 3_155_760_000_000;

/** The furthest a JavaScript date reaches from the epoch, either way (ECMA-262's time value range), in ms. */
const MAX_TIME_VALUE = 8.64e15;

/** A wait's `until` as ms since the epoch, or undefined when it is not a date (or one past what a date can hold). */
export function parseWaitUntil(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && Math.abs(value) <= MAX_TIME_VALUE ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
