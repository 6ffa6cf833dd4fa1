/**
 * Budgets for tokens, cost and wall time, for a run and for each step. Estimates are reserved before a step starts
 * (so parallel steps cannot together overrun what is left); real usage is settled after. Crossing `warnAt` of a
 * budget fires one warning; passing a limit stops the work with a BudgetExceededError.
 */
import { BudgetExceededError, type BudgetName } from '../errors/budget-exceeded-error.js';
import type { UsageTotals } from '../events/run-event.js';
import type { Budget } from '../plan/plan.js';

export interface BudgetWarning {
  budget: BudgetName;
  scope: string;
  limit: number;
  used: number;
  /** The step whose usage crossed the threshold, when known. */
  stepId?: string;
  /** That step's attempt and its place in the run (`[runId, stepId]`, `[…, 'replicate-2']`), when known. */
  attempt?: number;
  path?: readonly string[];
}

/** Where reported usage came from, so a warning it causes can say so. */
export interface UsageSource {
  attempt: number;
  path: readonly string[];
}

/** An estimate held against budgets while work runs. */
export interface Reservation {
  /** Moves reported usage out of the reservation (it is counted as used instead). */
  consume(usage: UsageTotals): void;
  /** Frees what is left of the reservation; safe to call more than once. */
  release(): void;
}

const AMOUNTS: readonly ('tokens' | 'costUsd')[] = ['tokens', 'costUsd'];

export class BudgetTracker {
  readonly used: UsageTotals = { tokens: 0, costUsd: 0 };
  private readonly reserved: UsageTotals = { tokens: 0, costUsd: 0 };
  private readonly warned = new Set<BudgetName>();
  private readonly startedAt = Date.now();

  constructor(
    /** `run` or a step id. */
    readonly scope: string,
    readonly limits: Budget | undefined,
    private readonly parent: BudgetTracker | undefined,
    private readonly onWarning: (warning: BudgetWarning) => void,
  ) {}

  /** A child tracker for one step; usage reported to it also counts against this one. */
  child(stepId: string, limits: Budget | undefined): BudgetTracker {
    return new BudgetTracker(stepId, limits, this, this.onWarning);
  }

  get elapsedMs(): number {
    return Date.now() - this.startedAt;
  }

  /**
   * Reserves an estimate before work starts, or throws (phase `refused`) when it would not fit here or in a parent.
   * Usage the work reports is `consume`d from the reservation, so it is never counted twice; `release` frees the rest.
   */
  reserve(estimate: UsageTotals, stepId: string): Reservation {
    this.check(estimate, stepId);
    const chain: BudgetTracker[] = [];
    for (let t: BudgetTracker | undefined = this; t; t = t.parent) chain.push(t);
    const left = { ...estimate };
    const take = (amounts: UsageTotals) => {
      for (const name of AMOUNTS) {
        const taken = Math.min(left[name], Math.max(0, amounts[name]));
        left[name] -= taken;
        for (const t of chain) t.reserved[name] -= taken;
      }
    };
    for (const t of chain) {
      t.reserved.tokens += estimate.tokens;
      t.reserved.costUsd += estimate.costUsd;
    }
    return { consume: take, release: () => take(left) };
  }

  /** Refuses to start work when a time budget is spent already. */
  checkTime(stepId: string): void {
    for (let t: BudgetTracker | undefined = this; t; t = t.parent) {
      const limit = t.limits?.timeMs;
      if (limit !== undefined && t.elapsedMs >= limit) {
        throw new BudgetExceededError({
          budget: 'timeMs',
          scope: t.scope,
          limit,
          amount: t.elapsedMs,
          phase: 'refused',
          stepId,
        });
      }
    }
  }

  /**
   * What is left of the token and cost limits here and in every parent (the least of them), after what is used and
   * reserved; `undefined` for an amount no level limits. Never below 0.
   */
  remaining(): { tokens: number | undefined; costUsd: number | undefined } {
    const left: { tokens: number | undefined; costUsd: number | undefined } = { tokens: undefined, costUsd: undefined };
    for (let t: BudgetTracker | undefined = this; t; t = t.parent) {
      for (const name of AMOUNTS) {
        const limit = t.limits?.[name];
        if (limit === undefined) continue;
        const here = Math.max(0, limit - t.used[name] - t.reserved[name]);
        left[name] = Math.min(left[name] ?? here, here);
      }
    }
    return left;
  }

  /** Counts usage from an earlier life of a durable run, without warnings or limit checks. */
  restore(usage: UsageTotals): void {
    for (let t: BudgetTracker | undefined = this; t; t = t.parent) {
      t.used.tokens += usage.tokens;
      t.used.costUsd += usage.costUsd;
    }
  }

  /** Adds real usage here and in every parent; throws (phase `exceeded`) when a limit is passed. */
  add(usage: UsageTotals, stepId?: string, source?: UsageSource): void {
    let exceeded: BudgetExceededError | undefined;
    for (let t: BudgetTracker | undefined = this; t; t = t.parent) {
      t.used.tokens += usage.tokens;
      t.used.costUsd += usage.costUsd;
      // Every level is inspected, so a parent still warns when a child has already passed its limit.
      const found = t.inspect(stepId, source);
      exceeded ??= found;
    }
    if (exceeded) throw exceeded;
  }

  private check(estimate: UsageTotals, stepId: string): void {
    for (let t: BudgetTracker | undefined = this; t; t = t.parent) {
      for (const name of AMOUNTS) {
        const limit = t.limits?.[name];
        if (limit === undefined) continue;
        const wouldBe = t.used[name] + t.reserved[name] + estimate[name];
        if (estimate[name] > 0 && wouldBe > limit) {
          throw new BudgetExceededError({
            budget: name,
            scope: t.scope,
            limit,
            amount: wouldBe,
            phase: 'refused',
            stepId,
          });
        }
      }
    }
  }

  /**
   * Warns for every budget whose warning line the usage has now crossed — also when one report jumps straight past
   * the limit, so a warning always comes before the refusal — and returns the error for the first budget passed.
   */
  private inspect(stepId: string | undefined, source: UsageSource | undefined): BudgetExceededError | undefined {
    let exceeded: BudgetExceededError | undefined;
    for (const name of AMOUNTS) {
      const limit = this.limits?.[name];
      if (limit === undefined) continue;
      const used = this.used[name];
      if (!this.warned.has(name) && used > 0 && used >= limit * (this.limits?.warnAt ?? 0.8)) {
        this.warned.add(name);
        this.onWarning({
          budget: name,
          scope: this.scope,
          limit,
          used,
          ...(stepId === undefined ? {} : { stepId }),
          ...(source === undefined ? {} : { attempt: source.attempt, path: source.path }),
        });
      }
      if (used > limit) {
        exceeded ??= new BudgetExceededError({
          budget: name,
          scope: this.scope,
          limit,
          amount: used,
          phase: 'exceeded',
          stepId,
        });
      }
    }
    return exceeded;
  }
}
