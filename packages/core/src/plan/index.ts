export type { CompiledGraph, CompiledLoop, CompiledPlan, CompiledStep } from './compiled-plan.js';
export {
  type Expression,
  ExpressionError,
  evaluateCondition,
  type PathSegment,
  parseExpression,
} from './expression.js';
export type {
  BreakerPolicy,
  Budget,
  EvidenceOptions,
  InputValue,
  Literal,
  LoopSpec,
  Plan,
  PlanStep,
  Reference,
  RetryPolicy,
  StepPolicy,
} from './plan.js';
export { formatPath, parsePath, readPath } from './reference.js';
export { compilePlan, type PlanValidation, type ValidatePlanOptions, validatePlan } from './validate-plan.js';
