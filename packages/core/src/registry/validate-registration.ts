/** Checks a target definition and returns every problem, each naming the field and the rule it breaks. */

import semver from 'semver';
import { describeValue } from '../errors/describe-value.js';
import type { Problem } from '../errors/validation-error.js';
import { tryCompileSchema } from '../schema/schema.js';
import type { RegisteredTarget, TargetDefinition } from './target.js';

const NAME = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
const KINDS = ['agent', 'service', 'tool'];
const HEALTH = ['healthy', 'degraded', 'down'];
const EFFECTS = ['external', 'none'];

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
  if (typeof definition.handler !== 'function')
    add('handler', 'required', 'handler is required and must be a function');
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
    handler: definition.handler,
    estimate: definition.estimate,
    compensate: definition.compensate as RegisteredTarget['compensate'],
    effects,
    metadata: definition.metadata ?? {},
    id: `${name}@${semver.valid(version)}`,
  };
  return { target, problems };
}
