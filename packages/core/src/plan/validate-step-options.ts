/** Checks the numeric and enumerated options of a step or plan: policy, budget, evidence and loop bounds. */

import { describeValue } from '../errors/describe-value.js';
import { quoteText } from '../errors/quote-text.js';
import type { Problem } from '../errors/validation-error.js';
import { isRecord } from '../schema/is-record.js';
import { appendKey } from '../schema/value-shape.js';
import { MAX_TIMER_MS } from './max-timer.js';

type Add = (path: string, code: string, message: string) => void;

export const EVIDENCE_DISTANCES = ['auto', 'text'];
/** The longest idempotency key a step may set: what the service socket's `task` message carries at most. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 2000;

function numberRule(add: Add, path: string, value: unknown, rule: { min?: number; max?: number; integer?: boolean }) {
  if (value === undefined) return;
  const bad =
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (rule.integer && !Number.isInteger(value)) ||
    (rule.min !== undefined && value < rule.min) ||
    (rule.max !== undefined && value > rule.max);
  if (!bad) return;
  const kind = rule.integer ? 'an integer' : 'a number';
  const range =
    rule.min !== undefined && rule.max !== undefined
      ? ` from ${rule.min} to ${rule.max}`
      : rule.min !== undefined
        ? ` of at least ${rule.min}`
        : '';
  add(path, 'range', `must be ${kind}${range}, got ${describeValue(value)}`);
}

function unknownKeys(add: Add, path: string, value: Record<string, unknown>, allowed: readonly string[]) {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      add(appendKey(path, key), 'unknown-option', `unknown option ${quoteText(key)} (known: ${allowed.join(', ')})`);
  }
}

export function validatePolicy(policy: unknown, path: string, problems: Problem[]): void {
  const add: Add = (p, code, message) => problems.push({ path: p, code, message });
  if (policy === undefined) return;
  if (!isRecord(policy)) {
    add(path, 'type', 'policy must be an object');
    return;
  }
  unknownKeys(add, path, policy, ['timeoutMs', 'retry', 'breaker', 'fallback', 'idempotencyKey']);
  numberRule(add, `${path}.timeoutMs`, policy.timeoutMs, { min: 1 });
  // Node sets no longer timer: such a timeout would never fire, and no service could be sent its deadline.
  if (typeof policy.timeoutMs === 'number' && Number.isFinite(policy.timeoutMs) && policy.timeoutMs > MAX_TIMER_MS) {
    const got = describeValue(policy.timeoutMs);
    add(`${path}.timeoutMs`, 'range', `timeoutMs must be at most ${MAX_TIMER_MS} ms (about 24.8 days), got ${got}`);
  }
  const retry = policy.retry;
  if (retry !== undefined && retry !== false) {
    if (!isRecord(retry)) add(`${path}.retry`, 'type', 'retry must be an object or false');
    else {
      unknownKeys(add, `${path}.retry`, retry, [
        'maxAttempts',
        'initialDelayMs',
        'maxDelayMs',
        'backoffFactor',
        'jitter',
        'respectRetryAfter',
        'maxRetryAfterMs',
        'nonRetryable',
      ]);
      numberRule(add, `${path}.retry.maxAttempts`, retry.maxAttempts, { min: 1, max: 100, integer: true });
      numberRule(add, `${path}.retry.initialDelayMs`, retry.initialDelayMs, { min: 0 });
      numberRule(add, `${path}.retry.maxDelayMs`, retry.maxDelayMs, { min: 0 });
      numberRule(add, `${path}.retry.backoffFactor`, retry.backoffFactor, { min: 1 });
      numberRule(add, `${path}.retry.maxRetryAfterMs`, retry.maxRetryAfterMs, { min: 0 });
      if (retry.respectRetryAfter !== undefined && typeof retry.respectRetryAfter !== 'boolean') {
        const got = describeValue(retry.respectRetryAfter);
        add(`${path}.retry.respectRetryAfter`, 'type', `respectRetryAfter must be true or false, got ${got}`);
      }
      if (retry.jitter !== undefined && retry.jitter !== 'full' && retry.jitter !== 'none') {
        add(`${path}.retry.jitter`, 'enum', `jitter must be "full" or "none", got ${describeValue(retry.jitter)}`);
      }
      if (retry.nonRetryable !== undefined && !Array.isArray(retry.nonRetryable)) {
        add(`${path}.retry.nonRetryable`, 'type', 'nonRetryable must be an array of error codes or names');
      }
    }
  }
  const breaker = policy.breaker;
  if (breaker !== undefined && breaker !== false) {
    if (!isRecord(breaker)) add(`${path}.breaker`, 'type', 'breaker must be an object or false');
    else {
      unknownKeys(add, `${path}.breaker`, breaker, ['threshold', 'halfOpenAfterMs']);
      numberRule(add, `${path}.breaker.threshold`, breaker.threshold, { min: 1, integer: true });
      numberRule(add, `${path}.breaker.halfOpenAfterMs`, breaker.halfOpenAfterMs, { min: 0 });
    }
  }
  if (policy.idempotencyKey !== undefined && typeof policy.idempotencyKey !== 'string') {
    add(`${path}.idempotencyKey`, 'type', 'idempotencyKey must be a string (it may use {{path}} templates)');
  } else if (typeof policy.idempotencyKey === 'string' && policy.idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    add(
      `${path}.idempotencyKey`,
      'max-length',
      `idempotencyKey must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, got ${policy.idempotencyKey.length}; use a shorter key (a hash of the long one, say)`,
    );
  }
}

export function validateBudget(budget: unknown, path: string, problems: Problem[]): void {
  const add: Add = (p, code, message) => problems.push({ path: p, code, message });
  if (budget === undefined) return;
  if (!isRecord(budget)) {
    add(path, 'type', 'budget must be an object');
    return;
  }
  unknownKeys(add, path, budget, ['tokens', 'costUsd', 'timeMs', 'warnAt']);
  numberRule(add, `${path}.tokens`, budget.tokens, { min: 0 });
  numberRule(add, `${path}.costUsd`, budget.costUsd, { min: 0 });
  numberRule(add, `${path}.timeMs`, budget.timeMs, { min: 1 });
  numberRule(add, `${path}.warnAt`, budget.warnAt, { min: 0, max: 1 });
}

export function validateEvidence(evidence: unknown, path: string, distances: readonly string[], problems: Problem[]) {
  const add: Add = (p, code, message) => problems.push({ path: p, code, message });
  if (evidence === undefined) return;
  if (!isRecord(evidence)) {
    add(path, 'type', 'evidence must be an object like { k: 3 }');
    return;
  }
  unknownKeys(add, path, evidence, ['k', 'epsilon', 'maxParallel', 'adaptive', 'distance']);
  if (evidence.k === undefined) add(`${path}.k`, 'required', 'k (the number of replicates) is required');
  numberRule(add, `${path}.k`, evidence.k, { min: 1, max: 100, integer: true });
  numberRule(add, `${path}.epsilon`, evidence.epsilon, { min: 0, max: 1 });
  numberRule(add, `${path}.maxParallel`, evidence.maxParallel, { min: 1, integer: true });
  const known = [...EVIDENCE_DISTANCES, ...distances];
  if (evidence.distance !== undefined && !known.includes(evidence.distance as string)) {
    add(
      `${path}.distance`,
      'enum',
      `unknown distance ${describeValue(evidence.distance)} (known: ${known.join(', ')})`,
    );
  }
}

export function validateLoopBounds(loop: Record<string, unknown>, path: string, problems: Problem[]): void {
  const add: Add = (p, code, message) => problems.push({ path: p, code, message });
  unknownKeys(add, path, loop, ['steps', 'until', 'maxIterations', 'onExhausted']);
  if (loop.maxIterations === undefined) {
    add(`${path}.maxIterations`, 'required', 'a loop needs maxIterations: loops are always bounded');
  }
  numberRule(add, `${path}.maxIterations`, loop.maxIterations, { min: 1, max: 10_000, integer: true });
  if (loop.until === undefined) add(`${path}.until`, 'required', 'a loop needs an "until" condition');
  if (loop.onExhausted !== undefined && loop.onExhausted !== 'continue' && loop.onExhausted !== 'fail') {
    add(
      `${path}.onExhausted`,
      'enum',
      `onExhausted must be "continue" or "fail", got ${describeValue(loop.onExhausted)}`,
    );
  }
}
