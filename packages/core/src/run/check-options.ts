/**
 * Validates what callers hand the engine — `createEngine` options and `run()` options — so a mistake surfaces at once
 * as a ValidationError naming the option and its value, not as a hang or a TypeError deep inside a run.
 */
import { type Problem, ValidationError } from '../errors/validation-error.js';
import { validateBudget, validatePolicy } from '../plan/validate-step-options.js';
import { MAX_TIMER_MS } from '../resilience/abort.js';
import type { RunOptions } from './run-types.js';

type Add = (path: string, code: string, message: string) => void;

function positive(add: Add, path: string, value: unknown, integer: boolean): void {
  if (value === undefined) return;
  const ok = typeof value === 'number' && Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value));
  if (!ok) add(path, 'range', `${path} must be a positive ${integer ? 'integer' : 'number'}, got ${describe(value)}`);
  else if (!integer && (value as number) > MAX_TIMER_MS) {
    add(path, 'range', `${path} must be at most ${MAX_TIMER_MS} ms (about 24.8 days), got ${describe(value)}`);
  }
}

function describe(value: unknown): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : value.toISOString();
  if (typeof value === 'function') return 'a function';
  return JSON.stringify(value) ?? String(value);
}

export function checkRunOptions(options: unknown): asserts options is RunOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError('invalid run options', [
      { path: '', code: 'type', message: `run options must be an object, got ${describe(options)}` },
    ]);
  }
  const problems: Problem[] = [];
  const add: Add = (path, code, message) => problems.push({ path, code, message });
  const o = options as Record<keyof RunOptions, unknown>;
  positive(add, 'maxParallel', o.maxParallel, true);
  positive(add, 'timeoutMs', o.timeoutMs, false);
  const { deadline } = o;
  if (deadline instanceof Date) {
    if (Number.isNaN(deadline.getTime())) add('deadline', 'type', 'deadline must be a valid Date, got an invalid Date');
    else if (deadline.getTime() - Date.now() > MAX_TIMER_MS) {
      add(
        'deadline',
        'range',
        `deadline must be within ${MAX_TIMER_MS} ms (about 24.8 days), got ${describe(deadline)}`,
      );
    }
  } else if (typeof deadline === 'number') positive(add, 'deadline', deadline, false);
  else if (deadline !== undefined) {
    add('deadline', 'type', `deadline must be milliseconds from now or a Date, got ${describe(deadline)}`);
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    add('signal', 'type', `signal must be an AbortSignal, got ${describe(o.signal)}`);
  }
  if (o.onEvent !== undefined && typeof o.onEvent !== 'function') {
    add('onEvent', 'type', `onEvent must be a function, got ${describe(o.onEvent)}`);
  }
  for (const name of ['runId', 'idempotencyKey'] as const) {
    const value = o[name];
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      add(name, 'type', `${name} must be a non-empty string, got ${describe(value)}`);
    }
  }
  if (o.retainEvents !== undefined && typeof o.retainEvents !== 'boolean') {
    add('retainEvents', 'type', `retainEvents must be true or false, got ${describe(o.retainEvents)}`);
  }
  validateBudget(o.budget, 'budget', problems);
  if (problems.length > 0) throw new ValidationError('invalid run options', problems);
}

/** Checks `createEngine`'s `defaults`; a `maxParallel` of 0 would otherwise hang every run. */
export function checkEngineDefaults(defaults: unknown): void {
  if (defaults === undefined) return;
  const problems: Problem[] = [];
  const add: Add = (path, code, message) => problems.push({ path, code, message });
  if (typeof defaults !== 'object' || defaults === null) {
    add('defaults', 'type', `defaults must be an object, got ${describe(defaults)}`);
  } else {
    const { maxParallel, ...policy } = defaults as Record<string, unknown>;
    positive(add, 'defaults.maxParallel', maxParallel, true);
    validatePolicy(policy, 'defaults', problems);
  }
  if (problems.length > 0) throw new ValidationError('invalid engine options', problems);
}
