/** What a registered agent, service or tool is: its identity, schemas, routing hints and handler. */
import type { z } from 'zod';
import type { CompiledSchema, JsonSchema } from '../schema/schema.js';
import type { BreakerPolicy, Budget, RetryPolicy } from './call-policy.js';
import type { TargetRef } from './target-ref.js';

export type TargetKind = 'agent' | 'service' | 'tool';
/**
 * What calling a target does outside the run. `'external'` (the default): it may change the world, so in a durable run
 * it is called only once everything it could have learnt from is journaled. `'none'`: calling it again changes nothing
 * outside (a pure function, a lookup, a model call whose answer only feeds the run), so the steps after it go on while
 * its journal entry is still being written, and a crash at worst makes it run again.
 */
export type TargetEffects = 'external' | 'none';
export type Health = 'healthy' | 'degraded' | 'down';

/** Resource use a handler reports, or a target estimates before it runs. */
export interface Usage {
  /** Total tokens (input + output) when the parts are not given separately. */
  tokens?: number;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
}

/** What the engine hands a handler besides its input. */
export interface HandlerContext {
  readonly runId: string;
  readonly stepId: string;
  /** 1 for the first try, 2 for the first retry, ... */
  readonly attempt: number;
  /** Aborted on cancellation, timeout, deadline or budget stop; pass it to fetch and friends. */
  readonly signal: AbortSignal;
  /**
   * When this attempt is cut off, in milliseconds since the epoch: the earlier of its timeout and the run's deadline
   * (or time budget); unset when neither applies. `signal` aborts then; a remote service is sent it to stop in time.
   */
  readonly deadline?: number;
  /** Present when the step has an idempotency key: send it to services that honour one. */
  readonly idempotencyKey: string | undefined;
  /** Where the call sits in the run, e.g. `['run-1', 'refine', 'iteration-2', 'draft']`. */
  readonly path: readonly string[];
  /** Adds usage to the step's and the run's budgets; may be called several times. */
  reportUsage(usage: Usage): void;
  /**
   * Calls another registered target as a sub-step of this one, with the engine's policies (retries, breaker, timeout,
   * budget, idempotency) and events under this step's path. Its result is remembered under its id: a later attempt
   * of this step, or the same step resumed after a crash (durable runs journal it), gets that result back instead of
   * calling again. Ids default to the call order (`call-1`, `call-2`, …), so a handler that makes its calls in the
   * same order on every attempt replays them.
   */
  call<O = unknown>(target: TargetRef, input: unknown, options?: SubCallOptions): Promise<O>;
  /**
   * Runs `compute` once per id (a model call, say) and remembers its value like `call` does: an effect-free
   * computation whose JSON value a retry or a resumed run gets back without running it again. `estimate` is reserved
   * against the budgets first (refused with a BudgetExceededError when it does not fit); `usage` of the value is then
   * counted, as `reportUsage` would.
   */
  memo<T>(id: string, compute: (signal: AbortSignal) => T | Promise<T>, options?: MemoOptions<T>): Promise<T>;
  /** What is left of the budgets over this step and its run (the least of them), after what is used and reserved. */
  budgetLeft(): BudgetLeft;
  /** Adds an event of the handler's (a `model-choice`, say) to the run's event stream, under this step's path. */
  emit(event: HandlerEvent): void;
}

/** How `HandlerContext.call` calls a target: the same policies a plan step can have. */
export interface SubCallOptions {
  /**
   * Names the call within its step: letters, digits and `._:-`, at most 200 characters, unique within one attempt.
   * @default `call-<n>`, by call order
   */
  id?: string;
  /** Per-attempt timeout. @default the run's, as for a step */
  timeoutMs?: number;
  retry?: RetryPolicy | false;
  breaker?: BreakerPolicy | false;
  fallback?: TargetRef | readonly TargetRef[];
  /** A business key: a repeated key returns the first result. @default `<the step's key>#<id>`, when it has one */
  idempotencyKey?: string;
  /** Limits of this call alone, within the step's. */
  budget?: Budget;
  /**
   * Keeps the call's failure as its outcome, journaled like a result: a retried or resumed step gets the same error
   * back instead of calling again (an agent whose model was shown the error must not see the tool run twice). A stop
   * of the run (cancel, budget, abort) is never kept. @default false
   */
  keepFailure?: boolean;
}

export interface MemoOptions<T> {
  /** Reserved against the budgets before `compute` runs. */
  estimate?: Usage;
  /** What the value spent, counted against the budgets (again when a resumed run replays it). */
  usage?: (value: T) => Usage;
}

/** `undefined` where no budget limits the amount. */
export interface BudgetLeft {
  tokens: number | undefined;
  costUsd: number | undefined;
}

/** Events a handler may add to its run's stream (`HandlerContext.emit`); the engine adds the step, attempt and path. */
export type HandlerEvent =
  | {
      /** Which model an agent calls next, and the ones it passed over (most preferred first) and why. */
      type: 'model-choice';
      model: string;
      skipped: readonly { model: string; reason: string }[];
      /** The estimate the choice was made on. */
      estimate: { tokens: number; costUsd: number };
    }
  | {
      /**
       * An agent's model call failed in a way another model may not (unreachable, overloaded, its breaker open): the
       * next model of its list that the budgets left can pay for is asked the same.
       */
      type: 'model-fallback';
      from: string;
      to: string;
      /** Why `from` failed, as its error says. */
      reason: string;
    }
  | {
      /** An agent's model call, as it is made: what the model is shown. */
      type: 'model-call';
      model: string;
      /** The registered targets offered as tools (after tool search), in the order offered. */
      tools: readonly string[];
      /** The input tokens sent, as the model's tokenizer counts them. */
      inputTokens: number;
      /** The conversation went through the context assembler (the agent has a context budget), not sent as it is. */
      assembled: boolean;
    }
  | {
      /**
       * A piece of the text an agent's model is writing, as it arrives (an agent that streams). Not kept: a model
       * call handed back from the journal sends none, and the whole text is in the step's output.
       */
      type: 'text-delta';
      delta: string;
    };

export type Handler<I = unknown, O = unknown> = (input: I, context: HandlerContext) => O | Promise<O>;

/** What a batch handler gets besides the inputs of the calls it serves. */
export interface BatchContext {
  /** Aborted once every caller in the batch has been aborted (one caller's abort leaves the others' batch running). */
  readonly signal: AbortSignal;
  /** Each call's context, in the order of the inputs. */
  readonly callers: readonly HandlerContext[];
  /** Usage of the whole batch: split evenly among the callers' steps and budgets. */
  reportUsage(usage: Usage): void;
}

/** Serves several calls at once: one output or Error per input, in the same order. A throw fails every caller. */
export type BatchHandler<I = unknown, O = unknown> = (
  inputs: I[],
  context: BatchContext,
) => readonly (O | Error)[] | Promise<readonly (O | Error)[]>;

/** Concurrent calls of a target (across steps and runs) coalesced into one handler call. */
export interface BatchOptions<I = unknown, O = unknown> {
  /** Most calls in one batch; a full batch still leaves when its wait ends. @default 100 */
  maxSize?: number;
  /** How long the first call of a batch waits for others to join, in ms. @default 10 */
  maxWaitMs?: number;
  handler: BatchHandler<I, O>;
}

/** What a compensation handler gets: the finished step it undoes, and why the run is being undone. */
export interface CompensationContext<I = unknown, O = unknown> {
  readonly runId: string;
  readonly stepId: string;
  readonly input: I;
  readonly output: O;
  /** The error that failed the run, or the abort that stopped it. */
  readonly reason: { code: string; message: string };
  /** The payload a handler passed when it aborted the run (`AbortRunError`), if any. */
  readonly payload: unknown;
  readonly attempt: number;
  readonly signal: AbortSignal;
  /**
   * When the compensation's time is up, in milliseconds since the epoch (its start plus the run's compensation TTL):
   * `signal` aborts then, and nothing is retried after it.
   */
  readonly deadline: number;
  /** Stable per run and step: a service can use it to undo once. */
  readonly idempotencyKey: string;
}

/** What `registry.register()` takes. */
// biome-ignore lint/suspicious/noExplicitAny: a definition without schemas accepts whatever its handler accepts.
export interface TargetDefinition<I = any, O = any> {
  /** Lowercase letters, digits, `-` and `.`; starts and ends alphanumeric; at most 253 characters. */
  name: string;
  /** @default 'tool' */
  kind?: TargetKind;
  /** What it does, for people and planners; at most 500 characters. */
  description: string;
  /** Semantic version. @default '1.0.0' */
  version?: string;
  /** zod schema (which also types the handler's input) or JSON Schema the input must satisfy. */
  input?: z.ZodType<I> | JsonSchema;
  /** zod schema or JSON Schema of the output; plan validation checks references against it. */
  output?: z.ZodType<O> | JsonSchema;
  capabilities?: readonly string[];
  /** Higher wins among candidates of equal health. @default 0 */
  priority?: number;
  /** @default 'healthy' */
  health?: Health;
  /** Serves one call. Required unless `batch` is given (then calls go through `batch.handler`, never both). */
  handler?: Handler<I, O>;
  /**
   * Coalesces concurrent calls into one `batch.handler(inputs)` call (DataLoader). Each input is validated before it
   * joins; each caller gets its own output or Error; usage the batch reports is split evenly among the callers.
   */
  batch?: BatchOptions<I, O>;
  /** Estimated usage of one call, checked against budgets before the call starts. */
  estimate?: (input: I) => Usage;
  /** Undoes this target's effect when the run fails or is aborted later (saga compensation). */
  compensate?: (context: CompensationContext<I, O>) => unknown | Promise<unknown>;
  /** See `TargetEffects`. @default 'external' */
  effects?: TargetEffects;
  metadata?: Readonly<Record<string, unknown>>;
}

/** A target as the registry holds it: defaults applied, schemas compiled. */
export interface RegisteredTarget {
  readonly name: string;
  readonly kind: TargetKind;
  readonly description: string;
  readonly version: string;
  readonly capabilities: readonly string[];
  readonly priority: number;
  readonly health: Health;
  /** Why it is not healthy, as `setHealth` was told (an MCP server reconnecting, say); said when it cannot be used. */
  readonly healthReason?: string;
  readonly input: CompiledSchema | undefined;
  readonly output: CompiledSchema | undefined;
  /** For a batched target, the handler that queues one call into its batch. */
  readonly handler: Handler;
  /** The batch settings of a batched target. */
  readonly batch: { readonly maxSize: number; readonly maxWaitMs: number } | undefined;
  readonly estimate: ((input: unknown) => Usage) | undefined;
  readonly compensate: ((context: CompensationContext) => unknown) | undefined;
  readonly effects: TargetEffects;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** `name@version`: unique in a registry. */
  readonly id: string;
}
