/**
 * Validates a plan against a registry and compiles it. Every problem is returned as data (`{ path, code, message }`)
 * so that an LLM planner can repair its own plan: unknown targets, references to unknown steps or to fields the
 * referenced output schema lacks, inputs that break the target's input schema, cycles outside a loop, duplicate ids,
 * and steps that can never run. A valid plan comes back compiled, with its parallel groups.
 */

import { describeValue } from '../errors/describe-value.js';
import { NoMigrationPathError } from '../errors/no-migration-path-error.js';
import { quoteText } from '../errors/quote-text.js';
import type { Problem } from '../errors/validation-error.js';
import { ValidationError } from '../errors/validation-error.js';
import { registryProblem } from '../registry/is-registry.js';
import type { Registry } from '../registry/registry.js';
import { describeQuery, parseTargetRef, type TargetRef, targetRefProblem } from '../registry/target-ref.js';
import { appendKey, valueShapeProblem } from '../schema/value-shape.js';
import { checkInput } from './check-input.js';
import { compileApproval, compileWait } from './compile-pause.js';
import { brandCompiledPlan, type CompiledGraph, type CompiledPlan, type CompiledStep } from './compiled-plan.js';
import type { PathSegment } from './expression.js';
import type { Plan, PlanStep } from './plan.js';
import { isConstantFalse, parseCondition } from './plan-condition.js';
import { findCycles, findNeverRuns, type GraphNode, parallelLayers } from './plan-graph.js';
import {
  type Context,
  checkReference,
  type Frame,
  hint,
  outputSchemaOf,
  resolvesInChain,
  routeOf,
  schemaForReference,
} from './plan-scope.js';
import { compileValue, formatPath } from './reference.js';
import { validateBudget, validateEvidence, validateLoopBounds, validatePolicy } from './validate-step-options.js';

export interface ValidatePlanOptions {
  /** Names of custom evidence distances the engine knows. */
  distances?: readonly string[];
}

export type PlanValidation =
  | { valid: true; problems: []; plan: CompiledPlan; parallelGroups: readonly (readonly string[])[] }
  | { valid: false; problems: Problem[]; plan?: undefined; parallelGroups?: undefined };

const STEP_ID = /^[A-Za-z_][\w-]{0,127}$/;
/** Names a reference path refuses (`parsePath`), and that would change an object's prototype when used as a key. */
const RESERVED_IDS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
const STEP_KEYS = [
  'id',
  'target',
  'input',
  'dependsOn',
  'when',
  'trigger',
  'loop',
  'approval',
  'wait',
  'policy',
  'budget',
  'evidence',
];
const KINDS = ['target', 'loop', 'approval', 'wait'] as const;
const PLAN_KEYS = ['steps', 'output', 'budget'];

/**
 * @example
 * const result = validatePlan(plan, registry);
 * if (!result.valid) console.log(result.problems); // [{ path: 'steps[1].target', code: 'unknown-target', ... }]
 */
export function validatePlan(plan: unknown, registry: Registry, options: ValidatePlanOptions = {}): PlanValidation {
  checkArguments(registry, options);
  const problems: Problem[] = [];
  if (typeof plan !== 'object' || plan === null || Array.isArray(plan)) {
    return {
      valid: false,
      problems: [
        {
          path: '',
          code: 'type',
          message: `a plan must be an object with a "steps" array, got ${describeValue(plan)}`,
        },
      ],
    };
  }
  // Everything below recurses into the plan: a plan that contains itself or nests too deeply is refused first.
  const shape = valueShapeProblem(plan, '');
  if (shape) return { valid: false, problems: [shape] };
  const source = plan as Plan;
  const context: Context = {
    registry,
    problems,
    distances: options.distances ?? [],
    allIds: new Map(),
    loopOf: new Map(),
  };
  for (const key of Object.keys(source)) {
    if (!PLAN_KEYS.includes(key)) {
      const message = `unknown plan field ${quoteText(key)} (known: ${PLAN_KEYS.join(', ')})`;
      problems.push({ path: appendKey('', key), code: 'unknown-option', message });
    }
  }
  collectIds(source.steps, 'steps', context);
  const { graph } = validateGraph(source.steps, 'steps', undefined, context);
  validateBudget(source.budget, 'budget', problems);
  const top: Frame | undefined = graph ? frameOf(graph, undefined, context) : undefined;
  let output: CompiledPlan['output'];
  if (source.output !== undefined) {
    output = compileValue(source.output, 'output', problems);
    if (top) for (const ref of output.refs) checkReference(ref.path, 'output', top, undefined, context);
  }
  if (problems.length > 0 || !graph) return { valid: false, problems };
  const compiled: CompiledPlan = {
    source,
    graph,
    output,
    budget: source.budget,
    parallelGroups: graph.parallelGroups,
  };
  brandCompiledPlan(compiled, { registry, distances: [...context.distances] });
  return { valid: true, problems: [], plan: compiled, parallelGroups: graph.parallelGroups };
}

/** Validates and compiles, throwing a ValidationError that carries every problem. */
export function compilePlan(plan: unknown, registry: Registry, options: ValidatePlanOptions = {}): CompiledPlan {
  const result = validatePlan(plan, registry, options);
  if (!result.valid) throw new ValidationError('invalid plan', result.problems);
  return result.plan;
}

/** The registry and options are the caller's code, not the plan: a mistake there throws instead of being a problem. */
function checkArguments(registry: unknown, options: unknown): void {
  const problems: Problem[] = [];
  const registryIssue = registryProblem(registry, 'registry');
  if (registryIssue) problems.push(registryIssue);
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    problems.push({
      path: 'options',
      code: 'type',
      message: `options must be an object, got ${describeValue(options)}`,
    });
  } else {
    const { distances } = options as ValidatePlanOptions;
    if (distances !== undefined && !(Array.isArray(distances) && distances.every((d) => typeof d === 'string'))) {
      problems.push({
        path: 'options.distances',
        code: 'type',
        message: `options.distances must be an array of distance names, got ${describeValue(distances)}`,
      });
    }
  }
  if (problems.length > 0) throw new ValidationError('invalid validatePlan arguments', problems);
}

function collectIds(steps: unknown, where: string, context: Context, loopId?: string): void {
  if (!Array.isArray(steps)) return;
  steps.forEach((step, i) => {
    if (typeof step !== 'object' || step === null) return;
    const { id, loop } = step as PlanStep;
    const path = `${where}[${i}]`;
    if (isStepId(id)) {
      const first = context.allIds.get(id);
      if (first !== undefined) {
        context.problems.push({
          path: `${path}.id`,
          code: 'duplicate-id',
          message: `step id "${id}" is already used at ${first}`,
        });
      } else {
        context.allIds.set(id, path);
        if (loopId !== undefined) context.loopOf.set(id, loopId);
      }
    }
    if (loop && typeof loop === 'object') collectIds(loop.steps, `${path}.loop.steps`, context, id);
  });
}

function isStepId(id: unknown): id is string {
  return typeof id === 'string' && STEP_ID.test(id) && !RESERVED_IDS.has(id);
}

function idProblem(id: unknown, path: string): Problem {
  if (typeof id === 'string' && RESERVED_IDS.has(id)) {
    return {
      path,
      code: 'reserved-id',
      message: `step id ${describeValue(id)} is reserved (${[...RESERVED_IDS].join(', ')} cannot be step ids); rename the step`,
    };
  }
  return {
    path,
    code: 'invalid-id',
    message: `step id must start with a letter or "_" and hold only letters, digits, "_" or "-" (at most 128), got ${describeValue(id)}`,
  };
}

function frameOf(graph: CompiledGraph, parent: Frame | undefined, context: Context, loopIds?: Set<string>): Frame {
  const frame: Frame = { parent, ids: new Map(), schemas: new Map(), hasEvidence: new Set(), loopIds };
  for (const step of graph.steps) {
    frame.ids.set(step.id, step.index);
    frame.schemas.set(step.id, outputSchemaOf(step.spec, context));
    if (step.evidence) frame.hasEvidence.add(step.id);
  }
  return frame;
}

function validateGraph(
  steps: unknown,
  where: string,
  parent: Frame | undefined,
  context: Context,
  loopIds?: Set<string>,
): { graph?: CompiledGraph; external: Set<string> } {
  const { problems } = context;
  const external = new Set<string>();
  if (!Array.isArray(steps) || steps.length === 0) {
    problems.push({
      path: where,
      code: 'required',
      message: `steps must be a non-empty array of steps, got ${describeValue(steps)}`,
    });
    return { external };
  }
  const frame: Frame = { parent, ids: new Map(), schemas: new Map(), hasEvidence: new Set(), loopIds };
  steps.forEach((step: PlanStep, i) => {
    if (typeof step !== 'object' || step === null) return;
    if (!isStepId(step.id)) {
      problems.push(idProblem(step.id, `${where}[${i}].id`));
      return;
    }
    if (frame.ids.has(step.id)) return;
    frame.ids.set(step.id, i);
    frame.schemas.set(step.id, outputSchemaOf(step, context));
    if (step.evidence) frame.hasEvidence.add(step.id);
  });

  const compiled: CompiledStep[] = [];
  const deps: Set<number>[] = [];
  steps.forEach((raw: unknown, i) => {
    const path = `${where}[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problems.push({ path, code: 'type', message: 'a step must be an object' });
      return;
    }
    const step = raw as PlanStep;
    // A step whose id is bad or taken is still checked, so every problem comes at once; it stays out of the graph.
    const named = frame.ids.get(step.id) === i;
    for (const key of Object.keys(step)) {
      if (!STEP_KEYS.includes(key)) {
        problems.push({
          path: appendKey(path, key),
          code: 'unknown-option',
          message: `unknown step field ${quoteText(key)} (known: ${STEP_KEYS.join(', ')})`,
        });
      }
    }
    const stepDeps = new Set<number>();
    deps[i] = stepDeps;
    const addDependency = (id: string | undefined) => {
      if (id === undefined) return;
      const local = frame.ids.get(id);
      if (local !== undefined) stepDeps.add(local);
      else external.add(id);
    };
    const refCheck = (refPath: readonly PathSegment[], location: string) =>
      addDependency(checkReference(refPath, location, frame, step.id, context));

    const target = step.target === undefined ? undefined : checkTarget(step.target, `${path}.target`, context);
    const kinds = KINDS.filter((kind) => step[kind] !== undefined);
    if (kinds.length === 0) {
      problems.push({
        path: `${path}.target`,
        code: 'required',
        message: `step "${step.id}" needs one of: a target, a loop, an approval or a wait`,
      });
    } else if (kinds.length > 1) {
      problems.push({
        path: `${path}.${kinds[1]}`,
        code: 'conflict',
        message: `a step is one of target, loop, approval or wait; step "${step.id}" has ${kinds.join(' and ')}`,
      });
    }
    const approval = compileApproval(step, path, problems, refCheck);
    const wait = compileWait(step, path, problems, refCheck);
    const input = compileValue(step.input ?? {}, `${path}.input`, problems);
    for (const ref of input.refs) refCheck(ref.path, formatPath([`${path}.input`, ...ref.at]));
    const described = target === undefined ? undefined : routeOf(context.registry, target);
    if (described?.input && step.input !== undefined) {
      checkInput(step.input, input, described.input, `${path}.input`, (p) => schemaForReference(p, frame), problems);
    } else if (described?.input && step.input === undefined) {
      problems.push(...described.input.validate({}, `${path}.input`));
    }
    const when = parseCondition(step.when, `${path}.when`, problems);
    for (const ref of when?.references ?? []) refCheck(ref, `${path}.when`);
    for (const dep of Array.isArray(step.dependsOn) ? step.dependsOn : []) {
      if (typeof dep !== 'string' || !resolvesInChain(dep, frame)) {
        problems.push({
          path: `${path}.dependsOn`,
          code: 'unknown-step',
          message: `depends on unknown step ${describeValue(dep)}${hint(String(dep), frame, context)}`,
        });
      } else if (dep === step.id) {
        problems.push({ path: `${path}.dependsOn`, code: 'cycle', message: `step "${step.id}" depends on itself` });
      } else addDependency(dep);
    }
    if (step.dependsOn !== undefined && !Array.isArray(step.dependsOn)) {
      problems.push({ path: `${path}.dependsOn`, code: 'type', message: 'dependsOn must be an array of step ids' });
    }
    if (step.trigger !== undefined && step.trigger !== 'all' && step.trigger !== 'any') {
      problems.push({
        path: `${path}.trigger`,
        code: 'enum',
        message: `trigger must be "all" or "any", got ${describeValue(step.trigger)}`,
      });
    }
    validatePolicy(step.policy, `${path}.policy`, problems);
    const fallbacks = step.policy?.fallback;
    for (const [j, ref] of (Array.isArray(fallbacks) ? fallbacks : fallbacks ? [fallbacks] : []).entries()) {
      checkTarget(ref, `${path}.policy.fallback${Array.isArray(fallbacks) ? `[${j}]` : ''}`, context);
    }
    let idempotencyKey: CompiledStep['idempotencyKey'];
    if (typeof step.policy?.idempotencyKey === 'string') {
      idempotencyKey = compileValue(step.policy.idempotencyKey, `${path}.policy.idempotencyKey`, problems);
      for (const ref of idempotencyKey.refs) refCheck(ref.path, `${path}.policy.idempotencyKey`);
    }
    validateBudget(step.budget, `${path}.budget`, problems);
    validateEvidence(step.evidence, `${path}.evidence`, context.distances, problems);

    let loop: CompiledStep['loop'];
    if (step.loop !== undefined) {
      if (typeof step.loop !== 'object' || step.loop === null) {
        problems.push({ path: `${path}.loop`, code: 'type', message: 'loop must be an object' });
      } else {
        validateLoopBounds(step.loop as unknown as Record<string, unknown>, `${path}.loop`, problems);
        const bodyIds = new Set((Array.isArray(step.loop.steps) ? step.loop.steps : []).map((s) => s?.id));
        const body = validateGraph(step.loop.steps, `${path}.loop.steps`, frame, context, bodyIds as Set<string>);
        for (const id of body.external) addDependency(id);
        const until = parseCondition(step.loop.until, `${path}.loop.until`, problems);
        if (body.graph && until) {
          const bodyFrame = frameOf(body.graph, frame, context, bodyIds as Set<string>);
          for (const ref of until.references) {
            const id = checkReference(ref, `${path}.loop.until`, bodyFrame, undefined, context);
            if (id !== undefined && !bodyFrame.ids.has(id)) addDependency(id);
          }
          loop = {
            body: body.graph,
            until,
            maxIterations: step.loop.maxIterations,
            onExhausted: step.loop.onExhausted ?? 'continue',
          };
        }
      }
    }
    if (!named) return;
    compiled[i] = {
      id: step.id,
      index: i,
      spec: step,
      target,
      targetLabel: target === undefined ? undefined : labelOf(step.target as TargetRef),
      input,
      when,
      trigger: step.trigger ?? 'all',
      deps: [],
      dependents: [],
      loop,
      approval,
      wait,
      idempotencyKey,
      policy: step.policy,
      budget: step.budget,
      evidence: step.evidence,
    };
  });
  const graph = buildGraph(steps as PlanStep[], compiled, deps, where, problems);
  return { graph, external };
}

function buildGraph(
  steps: PlanStep[],
  compiled: CompiledStep[],
  dependencies: Set<number>[],
  where: string,
  problems: Problem[],
): CompiledGraph | undefined {
  // Steps that did not compile (bad id, duplicate, not an object) stay as inert nodes so the rest is still checked.
  const complete = steps.every((_, i) => compiled[i] !== undefined);
  const nodes: GraphNode[] = steps.map((_, i) => {
    const step = compiled[i];
    if (!step) return { id: '', deps: [], trigger: 'all', neverByCondition: false };
    const deps = [...(dependencies[i] ?? [])].sort((a, b) => a - b);
    const neverByCondition = step.when !== undefined && isConstantFalse(step.when);
    return { id: step.id, deps, trigger: step.trigger, neverByCondition };
  });
  const cycles = findCycles(nodes);
  const onCycle = new Set(cycles.flat());
  for (const cycle of cycles) {
    const names = cycle.map((i) => `"${(nodes[i] as GraphNode).id}"`);
    const what =
      names.length === 1
        ? `step ${names[0]} waits for itself`
        : `steps ${names.join(', ')} wait for each other in a cycle`;
    problems.push({
      path: `${where}[${cycle[0]}]`,
      code: 'cycle',
      message: `${what}; repeat work with a loop step and maxIterations instead`,
    });
  }
  for (const [i, reason] of findNeverRuns(nodes)) {
    if (onCycle.has(i)) continue;
    problems.push({
      path: `${where}[${i}]`,
      code: 'never-runs',
      message: `step "${(nodes[i] as GraphNode).id}" can never run: ${reason}`,
    });
  }
  if (cycles.length > 0 || !complete) return undefined;
  const dependents: number[][] = nodes.map(() => []);
  nodes.forEach((node, i) => {
    for (const d of node.deps) (dependents[d] as number[]).push(i);
  });
  const final = (compiled as CompiledStep[]).map((step, i) => ({
    ...step,
    deps: (nodes[i] as GraphNode).deps,
    dependents: dependents[i] as number[],
  }));
  const byId = new Map(final.map((s) => [s.id, s] as const));
  const parallelGroups = parallelLayers(nodes).map((layer) => layer.map((i) => (nodes[i] as GraphNode).id));
  const sinks = final.filter((s) => s.dependents.length === 0).map((s) => s.id);
  return { steps: final, byId, parallelGroups, sinks };
}

function checkTarget(ref: TargetRef, path: string, context: Context) {
  const problem = targetRefProblem(ref);
  if (problem) {
    context.problems.push({ path, ...problem });
    return undefined;
  }
  const query = parseTargetRef(ref);
  if (context.registry.has(query)) return query;
  try {
    // A range no registered version satisfies is still callable through migrations.
    context.registry.describeRoute(query);
  } catch (error) {
    if (NoMigrationPathError.isInstance(error)) {
      context.problems.push({ path, code: 'no-migration-path', message: error.message });
      return query;
    }
    const known = context.registry.list().map((t) => t.name);
    const list = known.length > 0 ? ` (registered: ${[...new Set(known)].sort().slice(0, 20).join(', ')})` : '';
    context.problems.push({
      path,
      code: 'unknown-target',
      message: `no registered target matches ${describeQuery(query)}${list}`,
    });
  }
  return query;
}

function labelOf(ref: TargetRef): string {
  if (typeof ref === 'string') return ref;
  const base = ref.name ?? `capability:${ref.capability}`;
  return ref.version ? `${base}@${ref.version}` : base;
}
