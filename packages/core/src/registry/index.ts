export { createRegistry, type RegisterOptions, type Registry } from './registry.js';
export type {
  BudgetLeft,
  CompensationContext,
  Handler,
  HandlerContext,
  HandlerEvent,
  Health,
  MemoOptions,
  RegisteredTarget,
  SubCallOptions,
  TargetDefinition,
  TargetEffects,
  TargetKind,
  Usage,
} from './target.js';
export { describeQuery, parseTargetRef, type TargetQuery, type TargetRef } from './target-ref.js';
export { isValidTargetName, validateRegistration } from './validate-registration.js';
