/**
 * Validates what callers hand the engine — `createEngine` options and `run()` options — so a mistake surfaces at once
 * as a ValidationError naming the option and its value, not as a hang or a TypeError deep inside a run.
 */
import { closestName } from '../errors/closest-name.js';
import { describeValue } from '../errors/describe-value.js';
import { clipText } from '../errors/quote-text.js';
import { type Problem, ValidationError } from '../errors/validation-error.js';
import { MAX_TIMER_MS } from '../plan/max-timer.js';
import { validateBudget, validatePolicy } from '../plan/validate-step-options.js';
import { hasMethods, registryProblem } from '../registry/is-registry.js';
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

const describe = describeValue;

/** Every option `run()` reads: a key outside it (a typo such as `maxParalel`) is refused, not silently ignored. */
const RUN_OPTION_KEYS: Record<keyof RunOptions, true> = {
  runId: true,
  maxParallel: true,
  timeoutMs: true,
  deadline: true,
  signal: true,
  budget: true,
  idempotencyKey: true,
  versions: true,
  onEvent: true,
  retainEvents: true,
};

const KNOWN_RUN_OPTIONS = Object.keys(RUN_OPTION_KEYS);

function unknownOptions(options: Record<string, unknown>, add: Add): void {
  for (const key in options) {
    if (Object.hasOwn(RUN_OPTION_KEYS, key) || !Object.hasOwn(options, key) || options[key] === undefined) continue;
    const meant = closestName(key, KNOWN_RUN_OPTIONS);
    add(
      key,
      'unknown',
      `"${clipText(key, 60)}" is not a run option${meant ? ` (did you mean "${meant}"?)` : ''}; the options are ${KNOWN_RUN_OPTIONS.join(', ')}`,
    );
  }
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
  unknownOptions(options as Record<string, unknown>, add);
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
  checkVersionLocks(o.versions, add);
  if (problems.length > 0) throw new ValidationError('invalid run options', problems);
}

/** `versions` must be locks as a run reports them: `{ [key]: { ref, target: 'name@version', migrations? } }`. */
function checkVersionLocks(versions: unknown, add: Add): void {
  if (versions === undefined) return;
  if (typeof versions !== 'object' || versions === null || Array.isArray(versions)) {
    add('versions', 'type', `versions must be an earlier run's result.versions, got ${describe(versions)}`);
    return;
  }
  for (const [key, locked] of Object.entries(versions)) {
    const { ref, target, migrations } = (locked ?? {}) as Record<string, unknown>;
    const ok =
      typeof ref === 'string' &&
      typeof target === 'string' &&
      target.includes('@') &&
      (migrations === undefined || (Array.isArray(migrations) && migrations.every((v) => typeof v === 'string')));
    if (!ok) {
      add(
        `versions.${clipText(key, 80)}`,
        'type',
        `a lock is { ref, target: "name@version", migrations? }, got ${describe(locked)}`,
      );
    }
  }
}

const ENGINE_OPTIONS = [
  'registry',
  'defaults',
  'distances',
  'embed',
  'idempotency',
  'store',
  'engineId',
  'leaseMs',
  'parkAfterMs',
  'maxActiveRuns',
  'compensationTtlMs',
  'purgeIntervalMs',
  'onEvent',
  'onError',
  'onNotice',
];
const IDEMPOTENCY_METHODS = ['get', 'set', 'delete'];
const STORE_METHODS = ['createRun', 'getRun', 'claimRuns', 'appendJournal', 'readJournal', 'finishRun', 'notifyWork'];

/** Checks every `createEngine` option, naming the option and the value it was given. */
export function checkEngineOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError('invalid engine options', [
      {
        path: '',
        code: 'type',
        message: `createEngine needs an options object like { registry: createRegistry() }, got ${describe(options)}`,
      },
    ]);
  }
  const problems: Problem[] = [];
  const add: Add = (path, code, message) => problems.push({ path, code, message });
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!ENGINE_OPTIONS.includes(key)) {
      add(key, 'unknown-option', `unknown engine option "${key}" (known: ${ENGINE_OPTIONS.join(', ')})`);
    }
  }
  const registry = registryProblem(o.registry, 'registry');
  if (registry) problems.push(registry);
  collectDefaultsProblems(o.defaults, problems);
  checkDistances(add, o.distances);
  for (const name of ['embed', 'onEvent', 'onError', 'onNotice'] as const) {
    if (o[name] !== undefined && typeof o[name] !== 'function') {
      add(name, 'type', `${name} must be a function, got ${describe(o[name])}`);
    }
  }
  if (o.idempotency !== undefined && !hasMethods(o.idempotency, IDEMPOTENCY_METHODS)) {
    add(
      'idempotency',
      'type',
      `idempotency must be a store with get, set and delete (createMemoryIdempotencyStore()), got ${describe(o.idempotency)}`,
    );
  }
  if (o.store !== undefined && !hasMethods(o.store, STORE_METHODS)) {
    add('store', 'type', `store must be a run store from openStore(), got ${describe(o.store)}`);
  }
  if (o.engineId !== undefined && (typeof o.engineId !== 'string' || o.engineId.trim() === '')) {
    add('engineId', 'type', `engineId must be a non-empty string, got ${describe(o.engineId)}`);
  }
  for (const name of ['leaseMs', 'compensationTtlMs', 'purgeIntervalMs'] as const) positive(add, name, o[name], false);
  positive(add, 'maxActiveRuns', o.maxActiveRuns, true);
  const { parkAfterMs } = o;
  if (
    parkAfterMs !== undefined &&
    !(typeof parkAfterMs === 'number' && Number.isFinite(parkAfterMs) && parkAfterMs >= 0)
  ) {
    add('parkAfterMs', 'range', `parkAfterMs must be a number ≥ 0, got ${describe(parkAfterMs)}`);
  }
  if (problems.length > 0) throw new ValidationError('invalid engine options', problems);
}

function checkDistances(add: Add, distances: unknown): void {
  if (distances === undefined) return;
  if (typeof distances !== 'object' || distances === null || Array.isArray(distances)) {
    add('distances', 'type', `distances must be an object of named distance functions, got ${describe(distances)}`);
    return;
  }
  for (const [name, distance] of Object.entries(distances)) {
    if (typeof distance !== 'function') {
      add(
        `distances.${name}`,
        'type',
        `distances.${name} must be a function (a, b) => number in [0, 1], got ${describe(distance)}`,
      );
    }
  }
}

/** `createEngine`'s `defaults`; a `maxParallel` of 0 would otherwise hang every run. */
function collectDefaultsProblems(defaults: unknown, problems: Problem[]): void {
  if (defaults === undefined) return;
  const add: Add = (path, code, message) => problems.push({ path, code, message });
  if (typeof defaults !== 'object' || defaults === null || Array.isArray(defaults)) {
    add('defaults', 'type', `defaults must be an object, got ${describe(defaults)}`);
    return;
  }
  const { maxParallel, ...policy } = defaults as Record<string, unknown>;
  positive(add, 'defaults.maxParallel', maxParallel, true);
  validatePolicy(policy, 'defaults', problems);
}
