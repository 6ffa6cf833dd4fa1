/**
 * What a reference may see from where it stands in a plan: the steps of its own graph and of the graphs around it
 * (loop bodies nest), their output schemas, and loop variables. Checks one reference against that scope.
 */
import { describeValue } from '../errors/describe-value.js';
import { clipText, quoteText } from '../errors/quote-text.js';
import type { Problem } from '../errors/validation-error.js';
import type { TargetRoute } from '../registry/migrations.js';
import type { Registry } from '../registry/registry.js';
import type { TargetRef } from '../registry/target-ref.js';
import type { JsonSchema } from '../schema/schema.js';
import { schemaAtPath } from '../schema/schema-path.js';
import type { PathSegment } from './expression.js';
import type { PlanStep } from './plan.js';
import { formatPath } from './reference.js';

export interface Frame {
  parent: Frame | undefined;
  ids: Map<string, number>;
  schemas: Map<string, JsonSchema | undefined>;
  hasEvidence: Set<string>;
  /** Ids of the steps inside the loop body this frame is, or undefined at the top level. */
  loopIds: Set<string> | undefined;
}

export interface Context {
  registry: Registry;
  problems: Problem[];
  distances: readonly string[];
  /** Every step id in the plan, including loop bodies, with where it is. */
  allIds: Map<string, string>;
  /** For a step inside a loop body, the id of its loop step. */
  loopOf: Map<string, string>;
}

/** Checks one reference; returns the id of the step it makes the caller depend on, if any. */
export function checkReference(
  path: readonly PathSegment[],
  location: string,
  frame: Frame,
  selfId: string | undefined,
  context: Context,
): string | undefined {
  const add = (code: string, message: string) => context.problems.push({ path: location, code, message });
  const text = quoteText(formatPath(path));
  const [root, id, field] = path;
  if (root === 'request') return undefined;
  if (root === 'loop') {
    if (!frame.loopIds) add('invalid-reference', `${text}: loop.* is only available inside a loop's steps`);
    else if (id === 'previous') {
      if (path[2] !== 'steps' || typeof path[3] !== 'string' || !frame.loopIds.has(path[3])) {
        add('invalid-reference', `${text}: use loop.previous.steps.<id of a step in this loop>.output`);
      }
    } else if (id !== 'iteration') add('invalid-reference', `${text}: loop offers "iteration" and "previous"`);
    return undefined;
  }
  if (root !== 'steps') {
    add('invalid-reference', `${text} must start with request, steps or (inside a loop) loop`);
    return undefined;
  }
  if (typeof id !== 'string' || !resolvesInChain(id, frame)) {
    add('unknown-step', `${text} refers to unknown step ${describeValue(id)}${hint(String(id), frame, context)}`);
    return undefined;
  }
  if (id === selfId) {
    add('cycle', `${text}: a step cannot read its own output; use a loop to repeat work`);
    return undefined;
  }
  if (field !== 'output' && field !== 'evidence') {
    add('invalid-reference', `${text} must continue with .output (or .evidence for a step with evidence)`);
    return id;
  }
  const owner = frameHolding(id, frame) as Frame;
  if (field === 'evidence') {
    if (!owner.hasEvidence.has(id)) add('invalid-reference', `${text}: step "${id}" has no evidence options`);
    return id;
  }
  const schema = owner.schemas.get(id);
  if (schema !== undefined) {
    const found = schemaAtPath(schema, path.slice(3));
    if (!found.found) {
      const bad = clipText(formatPath(path.slice(0, 4 + found.at)));
      const known = found.known.length > 0 ? ` (it has: ${found.known.join(', ')})` : '';
      add('unknown-field', `${text}: the output schema of step "${id}" has no field at ${bad}${known}`);
    }
  }
  return id;
}

export function schemaForReference(path: readonly PathSegment[], frame: Frame): JsonSchema | undefined {
  if (path[0] === 'loop' && path[1] === 'iteration' && path.length === 2 && frame.loopIds) return { type: 'integer' };
  if (path[0] !== 'steps' || typeof path[1] !== 'string' || path[2] !== 'output') return undefined;
  const schema = frameHolding(path[1], frame)?.schemas.get(path[1]);
  if (schema === undefined) return undefined;
  const found = schemaAtPath(schema, path.slice(3));
  return found.found ? found.schema : undefined;
}

export function resolvesInChain(id: string, frame: Frame): boolean {
  return frameHolding(id, frame) !== undefined;
}

function frameHolding(id: string, frame: Frame | undefined): Frame | undefined {
  for (let f = frame; f; f = f.parent) if (f.ids.has(id)) return f;
  return undefined;
}

export function hint(id: string, frame: Frame, context: Context): string {
  const where = context.allIds.get(id);
  const loop = context.loopOf.get(id);
  if (where !== undefined && loop !== undefined) {
    return `: it is inside the body of loop "${loop}" (${where}); outside the loop, read steps.${loop}.output.last.${id}`;
  }
  const known: string[] = [];
  for (let f: Frame | undefined = frame; f; f = f.parent) known.push(...f.ids.keys());
  return known.length > 0 ? ` (known steps: ${known.slice(0, 20).join(', ')})` : '';
}

/** What a step's output looks like to references: its target's output schema, or a loop's summary. */
export function outputSchemaOf(step: PlanStep, context: Context): JsonSchema | undefined {
  if (step.loop && typeof step.loop === 'object' && Array.isArray(step.loop.steps)) {
    const last: Record<string, JsonSchema> = {};
    for (const inner of step.loop.steps) {
      if (inner && typeof inner.id === 'string') last[inner.id] = outputSchemaOf(inner, context) ?? true;
    }
    return {
      type: 'object',
      properties: {
        iterations: { type: 'integer' },
        exhausted: { type: 'boolean' },
        last: { type: 'object', properties: last, additionalProperties: false },
      },
      additionalProperties: false,
    };
  }
  if (step.approval !== undefined) {
    return {
      type: 'object',
      properties: { decision: { enum: ['approved', 'expired'] }, data: true },
      additionalProperties: false,
    };
  }
  if (step.wait !== undefined) {
    return { type: 'object', properties: { firedAt: { type: 'integer' } }, additionalProperties: false };
  }
  if (step.target === undefined) return undefined;
  return routeOf(context.registry, step.target)?.output?.outputJsonSchema;
}

/**
 * How plan validation sees a step's target: its registered version, or — for a range served through migrations — the
 * version it asked for, whose schemas are known only when the first migration declares them. Undefined when there is
 * no such target (a problem reported elsewhere).
 */
export function routeOf(registry: Registry, ref: TargetRef): TargetRoute | undefined {
  try {
    return registry.describeRoute(ref);
  } catch {
    return undefined;
  }
}
