export { createRegistry, type RegisterOptions, type Registry } from './registry.js';
export type {
  CompensationContext,
  Handler,
  HandlerContext,
  Health,
  RegisteredTarget,
  TargetDefinition,
  TargetEffects,
  TargetKind,
  Usage,
} from './target.js';
export { describeQuery, parseTargetRef, type TargetQuery, type TargetRef } from './target-ref.js';
export { isValidTargetName, validateRegistration } from './validate-registration.js';
