/**
 * Runs one graph of steps (a plan, or one iteration of a loop body): starts each step as soon as its dependencies
 * are done, within the run's parallelism limit; evaluates `when`; skips what cannot run; repeats loop bodies.
 */

import { AbortRunError } from '../errors/abort-run-error.js';
import { BatonError } from '../errors/baton-error.js';
import { StepFailedError } from '../errors/step-failed-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { UsageTotals } from '../events/run-event.js';
import type { CompiledGraph, CompiledStep } from '../plan/compiled-plan.js';
import { evaluateCondition } from '../plan/expression.js';
import { type Lookup, readSegments } from '../plan/reference.js';
import { isStorableJson } from '../storage/canonical-json.js';
import { unstorableIn } from '../storage/unstorable-value.js';
import { runApprovalStep, runWaitStep } from './pause-steps.js';
import type { RunContext, StepMemoEntry } from './run-context.js';
import { RunDetachedSignal } from './run-signals.js';
import type { StepResult } from './run-types.js';
import { serializeError } from './serialize-error.js';
import { executeStep } from './step-executor.js';

/** What `loop.*` references read inside a loop body. */
interface LoopScope {
  /** 1 for the first iteration, like the `iteration-1` segment of event paths. */
  iteration: number;
  previous: { steps: Record<string, { output: unknown }> } | undefined;
}

export class GraphExecution {
  readonly results: StepResult[];
  private readonly remaining: number[];
  private readonly succeededDeps: number[];
  private readonly ready: number[] = [];
  /** Steps that finished on an effect-free target: their dependents need not wait for the journal. */
  private readonly effectFree = new Set<number>();
  private finished = 0;
  private waiting = false;
  private settle!: { resolve: () => void; reject: (error: unknown) => void };
  readonly lookup: Lookup;

  constructor(
    private readonly run: RunContext,
    private readonly graph: CompiledGraph,
    parent: Lookup,
    private readonly path: readonly string[],
    loop?: LoopScope,
    /** Step keys every step of this graph comes after (a loop body's: its loop's dependencies, earlier iterations). */
    private readonly after: readonly string[] = [],
  ) {
    this.results = graph.steps.map((s) => ({
      id: s.id,
      status: 'pending',
      attempts: 0,
      usage: { tokens: 0, costUsd: 0 },
    }));
    this.remaining = graph.steps.map((s) => s.deps.length);
    this.succeededDeps = graph.steps.map(() => 0);
    const { byId } = graph;
    const results = this.results;
    this.lookup = (segments) => {
      const root = segments[0];
      if (root === 'steps') {
        const step = byId.get(segments[1] as string);
        if (!step) return parent(segments);
        const result = results[step.index] as StepResult;
        const field = segments[2];
        if (field === 'output') return readSegments(result.output, segments, 3);
        if (field === 'evidence') return readSegments(result.evidence, segments, 3);
        return undefined;
      }
      if (root === 'loop' && loop) return readSegments(loop, segments, 1);
      return parent(segments);
    };
  }

  /**
   * Resolves when every step has finished or been skipped; rejects with the error that ended the run. `onFinish` is
   * called the moment the last step finishes, before the promise resolves (a loop takes up its activity again then).
   */
  execute(onFinish?: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
      if (this.run.signal.aborted) return reject(this.run.signal.reason);
      const onAbort = () => reject(this.run.signal.reason);
      this.run.signal.addEventListener('abort', onAbort, { once: true });
      const done = this.settle.resolve;
      this.settle.resolve = () => {
        this.run.signal.removeEventListener('abort', onAbort);
        onFinish?.();
        done();
      };
      for (const step of this.graph.steps) if (step.deps.length === 0) this.ready.push(step.index);
      this.pump();
    });
  }

  /** Outputs of the steps that succeeded, by id. */
  outputs(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const result of this.results) if (result.status === 'succeeded') out[result.id] = result.output;
    return out;
  }

  private pump(): void {
    while (this.ready.length > 0 && !this.run.signal.aborted) {
      const index = this.ready[0] as number;
      const step = this.graph.steps[index] as CompiledStep;
      if (step.target !== undefined && !this.run.limiter.tryAcquire()) {
        if (!this.waiting) {
          this.waiting = true;
          this.run.limiter.whenFree(() => {
            this.waiting = false;
            this.pump();
          });
        }
        return;
      }
      this.ready.shift();
      this.start(step);
    }
  }

  private start(step: CompiledStep): void {
    const result = this.results[step.index] as StepResult;
    const holdsSlot = step.target !== undefined;
    if (step.when) {
      let go: boolean;
      try {
        go = evaluateCondition(step.when, this.lookup);
      } catch (error) {
        if (holdsSlot) this.run.limiter.release();
        this.fail(
          step,
          result,
          new ValidationError(`the "when" of step "${step.id}" failed`, [
            {
              path: `${step.id}.when`,
              code: 'invalid-expression',
              message: error instanceof Error ? error.message : String(error),
            },
          ]),
        );
        return;
      }
      if (!go) {
        if (holdsSlot) this.run.limiter.release();
        this.skip(step, `its condition "${step.when.source}" was false`);
        return;
      }
    }
    const stepPath = [...this.path, step.id];
    const stepKey = this.keyOf(step);
    const memo = this.run.durable?.recall(stepKey);
    if (memo?.status === 'succeeded') {
      if (holdsSlot) this.run.limiter.release();
      this.restore(step, result, memo, stepKey);
      return;
    }
    result.status = 'running';
    result.startedAt = Date.now();
    // A run taken up again after a retry was scheduled goes on counting its attempts (target-calls.ts does too).
    const attempt = (this.run.durable?.recallRetry(stepKey, '')?.attempts ?? 0) + 1;
    this.run.emit({ type: 'step-start', stepId: step.id, attempt, path: stepPath, target: step.targetLabel });
    this.run.activity.enter();
    let input: unknown;
    let work: Promise<void>;
    // A run parked on an approval or a timer starts a new life when it goes on: such a step began in the first one.
    const startedAt = (at: number) => {
      result.startedAt = Math.min(result.startedAt ?? at, at);
    };
    try {
      input = step.input.resolve(this.lookup);
      work = step.loop
        ? this.runLoop(step, result, stepPath, stepKey)
        : step.approval
          ? runApprovalStep(this.run, step, this.lookup, stepKey, stepPath, startedAt).then((output) => {
              result.output = output;
              result.attempts = 1;
            })
          : step.wait
            ? runWaitStep(this.run, step, this.lookup, stepKey, stepPath, startedAt).then((output) => {
                result.output = output;
                result.attempts = 1;
              })
            : this.runTarget(step, result, input, stepPath, stepKey);
    } catch (error) {
      work = Promise.reject(error);
    }
    // The slot goes back when the call ends. The step stays active until what follows it has begun (its entry
    // written, its dependents started): a run whose other steps wait on an approval or a timer must not look idle,
    // and park, in between.
    const release = () => {
      if (holdsSlot) this.run.limiter.release();
    };
    const leave = () => this.run.activity.leave();
    work.then(
      () => {
        release();
        const stored = this.persist(step, result, stepKey, input, this.effectFree.delete(step.index));
        if (!stored) return whileActive(() => this.succeed(step, result, stepPath), leave);
        if (stored.early) {
          // Its dependents go on now; if the entry is lost, so may be theirs: the run resumes from its journal.
          stored.write.catch((error) =>
            this.run.fail(
              new RunDetachedSignal('its journal could not be written', { cause: error, restartHere: true }),
            ),
          );
          return whileActive(() => this.succeed(step, result, stepPath), leave);
        }
        stored.write.then(
          () => whileActive(() => this.succeed(step, result, stepPath, true), leave),
          (error) => whileActive(() => this.fail(step, result, error), leave),
        );
      },
      (error) => {
        release();
        whileActive(() => this.fail(step, result, error), leave);
      },
    );
  }

  /** Step keys name a step within its run across restarts: `lookup`, `refine/iteration-2/draft`. */
  private keyOf(step: CompiledStep): string {
    return this.path.length > 1 ? `${this.path.slice(1).join('/')}/${step.id}` : step.id;
  }

  private afterOf(step: CompiledStep): string[] {
    return [...this.after, ...step.deps.map((d) => this.keyOf(this.graph.steps[d] as CompiledStep))];
  }

  /**
   * Remembers what compensation needs and, in a durable run, journals the step: returns the write, and whether it is
   * early (its dependents need not wait for it). Only an entry that can be stored goes early: one that cannot (NaN, a
   * cycle) is written as a gate, so its step fails as any step whose entry is refused, instead of breaking the writer.
   */
  private persist(
    step: CompiledStep,
    result: StepResult,
    stepKey: string,
    input: unknown,
    effectFree: boolean,
  ): { write: Promise<void>; early: boolean } | undefined {
    if (this.run.signal.aborted) return undefined;
    const after = step.target !== undefined ? this.afterOf(step) : undefined;
    if (after && result.target !== undefined) {
      this.run.finished.push({ stepKey, stepId: step.id, target: result.target, input, output: result.output, after });
    }
    if (!this.run.durable) return undefined;
    const data: Record<string, unknown> = { output: result.output, attempts: result.attempts, usage: result.usage };
    if (result.target !== undefined) data.target = result.target;
    if (result.startedAt !== undefined) data.startedAt = result.startedAt;
    if (after) {
      data.input = input;
      data.after = after;
    }
    if (result.evidence !== undefined) data.evidence = result.evidence;
    const entry = { type: 'step-finish', stepKey, data };
    const storable = isStorableJson(data);
    const refused = storable ? undefined : unstorableStep(step, data);
    // Refused here, not by the store: in a batch with other steps' entries it would fail theirs too.
    if (refused) return { write: Promise.reject(refused), early: false };
    // The run's last step goes with the run's finish: nothing but that finish depends on it.
    if (storable && this.isLastStep()) return { write: this.run.durable.recordWithFinish(entry), early: true };
    const early = effectFree && storable;
    return { write: this.run.durable.record(entry, early), early };
  }

  /** True while the step finishing now is the last of the run: every other step of the run's own graph is done. */
  private isLastStep(): boolean {
    return this.path.length === 1 && this.finished === this.graph.steps.length - 1;
  }

  /** A step that finished in an earlier life of a durable run: restored from the journal, not run again. */
  private restore(step: CompiledStep, result: StepResult, memo: StepMemoEntry, stepKey: string): void {
    result.status = 'succeeded';
    result.output = memo.output;
    result.attempts = memo.attempts ?? 1;
    result.usage = memo.usage ?? { tokens: 0, costUsd: 0 };
    if (memo.target !== undefined) result.target = memo.target;
    if (memo.evidence !== undefined) result.evidence = memo.evidence;
    if (this.run.durable) this.run.durable.replayed++;
    this.run.budget.restore(result.usage);
    if (step.target !== undefined && memo.target !== undefined) {
      this.run.finished.push({
        stepKey,
        stepId: step.id,
        target: memo.target,
        input: memo.input,
        output: memo.output,
        after: this.afterOf(step),
      });
    }
    this.done(step, true);
  }

  private async runTarget(
    step: CompiledStep,
    result: StepResult,
    input: unknown,
    path: readonly string[],
    stepKey: string,
  ): Promise<void> {
    const outcome = await executeStep(this.run, step, input, this.lookup, path, stepKey, this.afterOf(step));
    result.output = outcome.output;
    result.target = outcome.target;
    result.attempts = outcome.attempts;
    result.usage = outcome.usage;
    if (outcome.reused) result.reused = true;
    if (outcome.evidence !== undefined) result.evidence = outcome.evidence;
    if (outcome.effects === 'none') this.effectFree.add(step.index);
  }

  private async runLoop(
    step: CompiledStep,
    result: StepResult,
    path: readonly string[],
    stepKey: string,
  ): Promise<void> {
    const loop = step.loop as NonNullable<CompiledStep['loop']>;
    const activity = this.run.activity;
    let previous: LoopScope['previous'];
    let last: Record<string, unknown> = {};
    const usage: UsageTotals = { tokens: 0, costUsd: 0 };
    const earlier: string[] = [];
    for (let iteration = 1; iteration <= loop.maxIterations; iteration++) {
      const body = new GraphExecution(
        this.run,
        loop.body,
        this.lookup,
        [...path, `iteration-${iteration}`],
        { iteration, previous },
        [...this.afterOf(step), ...earlier],
      );
      result.attempts = iteration;
      // The loop counts as active between iterations only: while its body runs, the body's steps count (they
      // entered as `execute` started them), and the loop enters again the moment the body's last step finishes.
      const finished = body.execute(() => activity.enter());
      activity.leave();
      try {
        await finished;
      } catch (error) {
        activity.enter();
        throw error;
      } finally {
        for (const inner of body.results) {
          usage.tokens += inner.usage.tokens;
          usage.costUsd += inner.usage.costUsd;
        }
        result.usage = usage;
      }
      last = body.outputs();
      for (const inner of loop.body.steps) earlier.push(`${stepKey}/iteration-${iteration}/${inner.id}`);
      previous = { steps: Object.fromEntries(Object.entries(last).map(([id, output]) => [id, { output }])) };
      if (evaluateCondition(loop.until, body.lookup)) {
        result.output = { iterations: iteration, exhausted: false, last };
        return;
      }
    }
    if (loop.onExhausted === 'fail') {
      const cause = new BatonError(
        'loop-exhausted',
        `"${loop.until.source}" still did not hold after ${loop.maxIterations} iterations`,
      );
      throw new StepFailedError(step.id, undefined, loop.maxIterations, cause);
    }
    result.output = { iterations: loop.maxIterations, exhausted: true, last };
  }

  /**
   * A step that succeeded. One whose entry was being written when the run ended (another step failed, the run was
   * cancelled) did succeed too once the entry is stored (`journaled`): its call returned and its journal says so. It
   * is shown succeeded — a failing run waits for such writes before its last snapshot — but starts nothing more.
   */
  private succeed(step: CompiledStep, result: StepResult, path: readonly string[], journaled = false): void {
    const ended = this.run.signal.aborted;
    if (ended && !(journaled && result.status === 'running')) return;
    result.status = 'succeeded';
    result.finishedAt = Date.now();
    this.run.emit({
      type: 'step-finish',
      stepId: step.id,
      attempt: result.attempts,
      path,
      target: result.target ?? step.targetLabel,
      output: result.output,
      durationMs: result.finishedAt - (result.startedAt as number),
      usage: result.usage,
      ...(result.reused ? { reused: true } : {}),
    });
    if (!ended) this.done(step, true);
  }

  private fail(step: CompiledStep, result: StepResult, error: unknown): void {
    // The run ended, parked or left this engine: a run that ended shows its in-flight steps cancelled (its
    // snapshot says so); a parked one still shows the steps it waits on running.
    if (this.run.signal.aborted) return;
    const failure =
      unstorableAbort(this.run.durable !== undefined, step, error) ??
      (BatonError.isInstance(error) ? error : new StepFailedError(step.id, step.targetLabel, result.attempts, error));
    if (StepFailedError.isInstance(failure) && failure.stepId === step.id) {
      result.attempts = failure.attempts;
      if (failure.target !== undefined) result.target = failure.target;
    } else if (AbortRunError.isInstance(failure) && result.attempts === 0) {
      // An abort is a call's answer: the step was tried at least once (which try, its error does not say).
      result.attempts = 1;
    }
    result.status = 'failed';
    result.finishedAt = Date.now();
    result.error = serializeError(failure);
    this.run.emit({
      type: 'step-error',
      stepId: step.id,
      attempt: result.attempts,
      path: [...this.path, step.id],
      target: result.target ?? step.targetLabel,
      error: result.error,
      durationMs: result.finishedAt - (result.startedAt ?? result.finishedAt),
    });
    this.run.fail(failure);
  }

  private skip(step: CompiledStep, reason: string): void {
    const result = this.results[step.index] as StepResult;
    result.status = 'skipped';
    result.reason = reason;
    this.run.emit({ type: 'step-skip', stepId: step.id, attempt: 0, path: [...this.path, step.id], reason });
    this.done(step, false);
  }

  private done(step: CompiledStep, succeeded: boolean): void {
    this.finished++;
    for (const d of step.dependents) {
      if (succeeded) this.succeededDeps[d] = (this.succeededDeps[d] as number) + 1;
      const left = (this.remaining[d] as number) - 1;
      this.remaining[d] = left;
      if (left > 0) continue;
      const dependent = this.graph.steps[d] as CompiledStep;
      const runs =
        dependent.trigger === 'any'
          ? (this.succeededDeps[d] as number) > 0
          : this.succeededDeps[d] === dependent.deps.length;
      if (runs) this.ready.push(d);
      else this.skip(dependent, skipReason(dependent, this.graph, this.results));
    }
    if (this.finished === this.graph.steps.length) this.settle.resolve();
    else this.pump();
  }
}

/** Runs `next` (a step's succeed or fail, which starts what follows it), then `leave`s, even if `next` throws. */
function whileActive(next: () => void, leave: () => void): void {
  try {
    next();
  } finally {
    leave();
  }
}

function skipReason(step: CompiledStep, graph: CompiledGraph, results: readonly StepResult[]): string {
  if (step.trigger === 'any') return 'none of its dependencies succeeded';
  const skipped = step.deps.filter((i) => results[i]?.status === 'skipped').map((i) => `"${graph.steps[i]?.id}"`);
  return `its dependenc${skipped.length === 1 ? 'y' : 'ies'} ${skipped.join(', ')} did not run`;
}

/**
 * In a durable run, an abort whose payload the journal cannot hold (a BigInt in it) fails the run with an error naming
 * the place: stored changed, the payload would reach compensations other than it was sent; left to fail the write of
 * the run's end, the run would never end.
 */
function unstorableAbort(durable: boolean, step: CompiledStep, error: unknown): ValidationError | undefined {
  if (!durable || !AbortRunError.isInstance(error)) return undefined;
  const found = unstorableIn(error.payload);
  if (found === undefined) return undefined;
  return new ValidationError(
    `step "${step.id}" aborted the run with a payload the journal cannot store`,
    [{ path: `steps.${step.id}.payload${found.place}`, code: 'not-json', message: found.message }],
    { cause: error },
  );
}

/** The error of a step whose journal entry JSON cannot hold (NaN in its output), naming the place. */
function unstorableStep(step: CompiledStep, data: Record<string, unknown>): ValidationError | undefined {
  const found = unstorableIn(data);
  if (found === undefined) return undefined;
  return new ValidationError(`step "${step.id}" finished with data the journal cannot store`, [
    { path: `steps.${step.id}${found.place}`, code: 'not-json', message: found.message },
  ]);
}
