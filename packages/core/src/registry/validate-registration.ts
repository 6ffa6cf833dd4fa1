/** Checks a target definition and returns every problem, each naming the field and the rule it breaks. */

import semver from 'semver';
import { describeValue } from '../errors/describe-value.js';
import type { Problem } from '../errors/validation-error.js';
import { tryCompileSchema } from '../schema/schema.js';
import { batchedHandler } from './batch-loader.js';
import type { RegisteredTarget, TargetDefinition } from './target.js';

const NAME = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
const KINDS = ['agent', 'service', 'tool'];
const HEALTH = ['healthy', 'degraded', 'down'];
const EFFECTS = ['external', 'none'];
/** Node's longest timer. */
const MAX_WAIT_MS = 2_147_483_647;
const BATCH_DEFAULTS = { maxSize: 100, maxWaitMs: 10 };

export function isValidTargetName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 253 && NAME.test(name);
}

export function validateRegistration(definition: TargetDefinition): { target?: RegisteredTarget; problems: Problem[] } {
  const problems: Problem[] = [];
  const add = (path: string, code: string, message: string) => problems.push({ path, code, message });
  if (typeof definition !== 'object' || definition === null) {
    return {
      problems: [
        {
          path: '',
          code: 'type',
          message: `a target definition must be an object, got ${definition === null ? 'null' : typeof definition}`,
        },
      ],
    };
  }
  const { name, description, kind = 'tool', version = '1.0.0', priority = 0, health = 'healthy' } = definition;
  if (typeof name !== 'string' || name.length === 0) add('name', 'required', 'name is required and must be a string');
  else if (name.length > 253) add('name', 'max-length', `name must be at most 253 characters, got ${name.length}`);
  else if (!NAME.test(name)) {
    add(
      'name',
      'pattern',
      `name "${name}" must contain only lowercase letters, digits, "-" or ".", and start and end with a letter or digit`,
    );
  }
  if (typeof description !== 'string' || description.trim() === '') {
    add('description', 'required', 'description is required: say what the target does');
  } else if (description.length > 500) {
    add('description', 'max-length', `description must be at most 500 characters, got ${description.length}`);
  }
  if (!KINDS.includes(kind)) add('kind', 'enum', `kind must be one of ${KINDS.join(', ')}, got ${describeValue(kind)}`);
  if (typeof version !== 'string' || semver.valid(version) === null) {
    add('version', 'semver', `version must be a semantic version like 1.2.3, got ${describeValue(version)}`);
  }
  if (typeof priority !== 'number' || !Number.isFinite(priority)) {
    add('priority', 'type', `priority must be a finite number, got ${describeValue(priority)}`);
  }
  if (!HEALTH.includes(health)) {
    add('health', 'enum', `health must be one of ${HEALTH.join(', ')}, got ${describeValue(health)}`);
  }
  const capabilities = definition.capabilities ?? [];
  if (!Array.isArray(capabilities)) add('capabilities', 'type', 'capabilities must be an array of strings');
  else {
    capabilities.forEach((capability, i) => {
      if (typeof capability !== 'string' || capability.trim() === '') {
        add(`capabilities[${i}]`, 'type', `capability must be a non-empty string, got ${describeValue(capability)}`);
      }
    });
  }
  checkHandlers(definition, add);
  if (definition.estimate !== undefined && typeof definition.estimate !== 'function') {
    add('estimate', 'type', 'estimate must be a function returning the expected usage');
  }
  if (definition.compensate !== undefined && typeof definition.compensate !== 'function') {
    add('compensate', 'type', "compensate must be a function that undoes the handler's effect");
  }
  const effects = definition.effects ?? 'external';
  if (!EFFECTS.includes(effects)) {
    add('effects', 'enum', `effects must be one of ${EFFECTS.join(', ')}, got ${describeValue(effects)}`);
  } else if (effects === 'none' && definition.compensate !== undefined) {
    add('compensate', 'conflict', 'a target with effects "none" has nothing to undo: drop compensate or the effects');
  }
  const input = definition.input === undefined ? undefined : tryCompileSchema(definition.input, 'input');
  const output = definition.output === undefined ? undefined : tryCompileSchema(definition.output, 'output');
  if (input?.problem) problems.push(input.problem);
  if (output?.problem) problems.push(output.problem);
  if (problems.length > 0) return { problems };
  const batch = definition.batch ? { ...BATCH_DEFAULTS, ...withoutUndefined(definition.batch) } : undefined;
  const target: RegisteredTarget = {
    name,
    kind,
    description,
    version: semver.valid(version) as string,
    capabilities: [...capabilities],
    priority,
    health,
    input: input?.schema,
    output: output?.schema,
    handler: batch
      ? batchedHandler(`${name}@${semver.valid(version)}`, batch)
      : (definition.handler as RegisteredTarget['handler']),
    batch: batch ? { maxSize: batch.maxSize, maxWaitMs: batch.maxWaitMs } : undefined,
    estimate: definition.estimate,
    compensate: definition.compensate as RegisteredTarget['compensate'],
    effects,
    metadata: definition.metadata ?? {},
    id: `${name}@${semver.valid(version)}`,
  };
  return { target, problems };
}

type Add = (path: string, code: string, message: string) => void;

/** One handler or one batch handler, and sound batch settings. */
function checkHandlers(definition: TargetDefinition, add: Add): void {
  const { handler, batch } = definition;
  if (batch === undefined) {
    if (typeof handler !== 'function') add('handler', 'required', 'handler is required and must be a function');
    return;
  }
  if (typeof batch !== 'object' || batch === null) {
    add('batch', 'type', `batch must be { maxSize, maxWaitMs, handler }, got ${describeValue(batch)}`);
    return;
  }
  if (handler !== undefined) {
    add('handler', 'conflict', 'a batched target is called through batch.handler: drop handler, or drop batch');
  }
  if (typeof batch.handler !== 'function') {
    add('batch.handler', 'required', 'batch.handler is required: a function from an array of inputs to their outputs');
  }
  const { maxSize, maxWaitMs } = batch;
  if (maxSize !== undefined && !(Number.isInteger(maxSize) && maxSize >= 1)) {
    add('batch.maxSize', 'range', `batch.maxSize must be a positive integer, got ${describeValue(maxSize)}`);
  }
  if (maxWaitMs !== undefined && !(typeof maxWaitMs === 'number' && maxWaitMs >= 0 && maxWaitMs <= MAX_WAIT_MS)) {
    add(
      'batch.maxWaitMs',
      'range',
      `batch.maxWaitMs must be a number of ms from 0 to ${MAX_WAIT_MS}, got ${describeValue(maxWaitMs)}`,
    );
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
