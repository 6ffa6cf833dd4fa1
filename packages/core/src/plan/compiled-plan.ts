/**
 * A plan after validation: steps indexed, references compiled, dependencies and parallel groups derived. Only
 * `validatePlan` makes one: it is branded here, so an object that merely has the same shape is never mistaken for a
 * plan that passed validation.
 */
import type { Registry } from '../registry/registry.js';
import type { TargetQuery } from '../registry/target-ref.js';
import type { Expression } from './expression.js';
import type { Budget, EvidenceOptions, Plan, PlanStep, StepPolicy } from './plan.js';
import type { CompiledValue } from './reference.js';

export interface CompiledLoop {
  body: CompiledGraph;
  until: Expression;
  maxIterations: number;
  onExhausted: 'continue' | 'fail';
}

export interface CompiledApproval {
  prompt: CompiledValue;
  data: CompiledValue;
  expiresInMs: number | undefined;
  onExpire: 'fail' | 'default';
  default: unknown;
}

export interface CompiledWait {
  durationMs: number | undefined;
  until: CompiledValue | undefined;
}

export interface CompiledStep {
  readonly id: string;
  readonly index: number;
  readonly spec: PlanStep;
  /** Undefined for loop, approval and wait steps. */
  readonly target: TargetQuery | undefined;
  /** `name@range` or `capability:x`, for events and errors. */
  readonly targetLabel: string | undefined;
  readonly input: CompiledValue;
  readonly when: Expression | undefined;
  readonly trigger: 'all' | 'any';
  /** Indexes of the steps in the same graph this one waits for. */
  readonly deps: readonly number[];
  readonly dependents: readonly number[];
  readonly loop: CompiledLoop | undefined;
  readonly approval: CompiledApproval | undefined;
  readonly wait: CompiledWait | undefined;
  readonly idempotencyKey: CompiledValue | undefined;
  readonly policy: StepPolicy | undefined;
  readonly budget: Budget | undefined;
  readonly evidence: EvidenceOptions | undefined;
}

export interface CompiledGraph {
  readonly steps: readonly CompiledStep[];
  readonly byId: ReadonlyMap<string, CompiledStep>;
  /** Step ids that may run together, in the order they become ready. */
  readonly parallelGroups: readonly (readonly string[])[];
  /** Steps nothing depends on. */
  readonly sinks: readonly string[];
}

export interface CompiledPlan {
  readonly source: Plan;
  readonly graph: CompiledGraph;
  readonly output: CompiledValue | undefined;
  readonly budget: Budget | undefined;
  readonly parallelGroups: readonly (readonly string[])[];
}

/** What a compiled plan was validated against. */
export interface CompiledOrigin {
  readonly registry: Registry;
  /** The custom evidence distances that were known. */
  readonly distances: readonly string[];
}

const origins = new WeakMap<object, CompiledOrigin>();

/** Brands `plan` as validated against `origin`. */
export function brandCompiledPlan(plan: CompiledPlan, origin: CompiledOrigin): void {
  origins.set(plan, origin);
}

/** What `value` was validated against, or `undefined` when `validatePlan` did not make it (whatever its shape). */
export function compiledOriginOf(value: unknown): CompiledOrigin | undefined {
  return typeof value === 'object' && value !== null ? origins.get(value) : undefined;
}
