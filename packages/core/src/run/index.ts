export { CompensationTimeoutError } from './compensation.js';
export {
  createMemoryIdempotencyStore,
  type IdempotencyStore,
  type MemoryIdempotencyOptions,
} from './idempotency-store.js';
export type { RunHandle, RunOptions, RunResult, RunStatus, StepResult, StepStatus } from './run-types.js';
export { serializeError } from './serialize-error.js';
