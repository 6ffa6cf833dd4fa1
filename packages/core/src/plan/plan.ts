/**
 * The plan format: JSON that names steps, the target each calls, and how each step's input is built from literals,
 * the request and earlier steps' outputs. Dependencies come from references plus `dependsOn`.
 *
 * @example
 * const plan: Plan = {
 *   steps: [
 *     { id: 'lookup', target: 'customer-lookup', input: { id: { $ref: 'request.data.customerId' } } },
 *     { id: 'greet', target: 'writer', input: { text: 'Hello {{steps.lookup.output.name}}' } },
 *   ],
 * };
 */
import type { BreakerPolicy, Budget, RetryPolicy } from '../registry/call-policy.js';
import type { TargetRef } from '../registry/target-ref.js';

export type { BreakerPolicy, Budget, RetryPolicy };

/** `{ "$ref": "steps.lookup.output.items[0].id" }`, with a value to use when the path resolves to nothing. */
export interface Reference {
  $ref: string;
  default?: unknown;
}

/** `{ "$literal": … }` passes a value through untouched, even if it contains `$ref` keys or `{{`. */
export interface Literal {
  $literal: unknown;
}

/** A literal, a reference, a string with `{{path}}` templates, or arrays/objects of these. */
export type InputValue = unknown;

export interface StepPolicy {
  /** Per-attempt timeout. */
  timeoutMs?: number;
  retry?: RetryPolicy | false;
  /** A breaker per target; `false` turns it off for this step. */
  breaker?: BreakerPolicy | false;
  /** Targets tried, in order, when the step's own target fails for good or its breaker is open. */
  fallback?: TargetRef | readonly TargetRef[];
  /** A template such as `"charge-{{request.data.orderId}}"`: a repeated key returns the first result. */
  idempotencyKey?: string;
}

export interface EvidenceOptions {
  /** Replicates to run. */
  k: number;
  /** Distance at or below which two replicates agree. @default 0.2 */
  epsilon?: number;
  /**
   * Replicates running at once. With `adaptive`, only the first two start; the rest start (this many at a time) only
   * when those two disagree. @default k
   */
  maxParallel?: number;
  /** Run two replicates first and stop there when they agree within `epsilon`. @default true */
  adaptive?: boolean;
  /** `auto` (field by field for objects, tokens for text), `text`, or the name of a distance given to `createEngine({ distances })`. @default 'auto' */
  distance?: string;
}

export interface LoopSpec {
  /** The sub-sequence repeated each iteration. */
  steps: PlanStep[];
  /** Condition checked after each iteration; the loop ends when it holds. */
  until: string;
  /** Required upper bound on iterations. */
  maxIterations: number;
  /** What happens when `until` never held: `continue` ends the loop with `exhausted: true`. @default 'continue' */
  onExhausted?: 'continue' | 'fail';
}

/** A person must approve before the run goes on (human in the loop). */
export interface ApprovalSpec {
  /** What the approver is asked; may use `{{path}}` templates. */
  prompt: string;
  /** The data to review, built like a step input. */
  data?: InputValue;
  /** How long the approval stays open; afterwards it expires. */
  expiresInMs?: number;
  /** On expiry, fail the run (`fail`) or go on with `default` as the approved data (`default`). @default 'fail' */
  onExpire?: 'fail' | 'default';
  /** The data used when an approval expires with `onExpire: 'default'`. */
  default?: unknown;
}

/** A durable timer: wait a duration, or until a date (ISO 8601 string or ms since epoch; may be a reference). */
export interface WaitSpec {
  durationMs?: number;
  until?: InputValue;
}

export interface PlanStep {
  id: string;
  /** What to call; omitted for loop, approval and wait steps. */
  target?: TargetRef;
  input?: InputValue;
  dependsOn?: readonly string[];
  /** A condition over references; false skips the step. */
  when?: string;
  /**
   * When the step runs, once every dependency has finished: `all` when each succeeded, `any` when at least one did
   * and the others were skipped. Either waits for all of them: `any` does not start at the first success. A
   * dependency that fails (retries and fallbacks used up) fails the whole run — the step never runs, even under `any`
   * and even when another dependency already succeeded; branches still running are cancelled. To let a join go on
   * without a branch, give that branch a `policy.fallback` or guard it with `when` so it is skipped instead. When
   * nothing ran, the step is skipped. @default 'all'
   */
  trigger?: 'all' | 'any';
  loop?: LoopSpec;
  /** Suspend until a person approves or rejects; the step's output is `{ decision, data }`. */
  approval?: ApprovalSpec;
  /** Suspend until a duration passes or a date arrives; the step's output is `{ firedAt }`. */
  wait?: WaitSpec;
  policy?: StepPolicy;
  budget?: Budget;
  /** Run the step K times and keep the consensus (an evidence bundle). */
  evidence?: EvidenceOptions;
}

export interface Plan {
  steps: PlanStep[];
  /** What the run returns, built like a step input; defaults to the outputs of the steps nothing depends on. */
  output?: InputValue;
  budget?: Budget;
}
