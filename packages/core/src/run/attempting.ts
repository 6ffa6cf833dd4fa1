/** What the calls of one step (or one replicate, or one sub-call) keep track of across attempts, and what they end with. */
import type { UsageTotals } from '../events/run-event.js';
import type { TargetEffects } from '../registry/target.js';
import type { SubCallMemoEntry } from './run-context.js';

export interface StepOutcome {
  output: unknown;
  target: string;
  attempts: number;
  usage: UsageTotals;
  reused: boolean;
  /** `'none'` only if every target the step called (fallbacks, replicates) is effect-free; see `TargetEffects`. */
  effects: TargetEffects;
  evidence?: unknown;
}

/** Progress of one execution (a step, or one replicate of it) across its attempts and fallbacks. */
export interface Attempting {
  attempts: number;
  /** Usage reported by every attempt, failed ones included. */
  readonly usage: UsageTotals;
  readonly path: readonly string[];
  /** `'external'` once any target with effects was called, even one that then failed. */
  effects: TargetEffects;
  /** Names the execution in the journal across restarts: the step key, `#<id>` added for a sub-call. */
  readonly stepKey: string;
  /** Sub-calls that finished, by id, kept across attempts: a retry gets their results back (`sub-calls.ts`). */
  readonly subCalls: Map<string, SubCallMemoEntry>;
  /**
   * Where a sub-call made here stands in compensation order (`FinishedStep`): `within`, the step or sub-call whose own
   * work is undone after it (for a replicate, its step), and `after`, the keys of the steps that step came after.
   */
  readonly subCallPlace: { readonly within: string; readonly after: readonly string[] };
}
