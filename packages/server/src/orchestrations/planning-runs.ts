/**
 * Plans actions sent in plain words, after the request was answered (the orchestration is stored as `planning` with
 * its request): the project's planner (templates, plan cache, model), then the run. A failure — not actionable, no
 * valid plan in three attempts, the model unreachable, the planning's tokens or cost past the orchestration's budget —
 * fails the orchestration with a typed error and keeps every attempt. Cancelling aborts the model call. A plan whose
 * replica stopped mid-way is taken over by `resume` once it has not moved for a while.
 */
import { BudgetExceededError, CancelledError, type CompiledPlan, type Plan, type Problem } from '@baton/core';
import type { PlanningAttempt, PlanningDecision, PlanningUsage } from '@baton/llm';
import type { Kysely } from 'kysely';
import type { ServerTables } from '../db/server-tables.js';
import type { ProjectPlanning } from '../planning/project-planning.js';
import type { OrchestrationRow } from './orchestration-view.js';

export interface PlanningRequest {
  action: string;
  data: Record<string, unknown>;
  timeoutMs?: number;
  budget?: { tokens?: number; costUsd?: number; timeMs?: number; warnAt?: number };
}

type Compiled = { compiled: CompiledPlan; parallelGroups: string[][] };
interface Planned {
  plan: Plan;
  data: Record<string, unknown>;
  decision: PlanningDecision;
}

export interface PlanningRunsOptions {
  db: Kysely<ServerTables>;
  planning: ProjectPlanning | undefined;
  /** The plan's problems in the project, and the compiled plan when there are none. */
  check(projectId: string, plan: Plan): Promise<{ problems: Problem[]; compiled?: Compiled }>;
  /** Stores the plan and starts the run; false when the orchestration stopped planning meanwhile (cancelled). */
  started(row: OrchestrationRow, planned: Planned, compiled: Compiled, request: PlanningRequest): Promise<boolean>;
  /** Ends the orchestration without a run, if it is still planning; false when its run started first. */
  ended(id: string, error: unknown, status: 'failed' | 'cancelled'): Promise<boolean>;
  onError(error: unknown): void;
}

/** How a planning ended on this replica: its run started, or the orchestration ended (failed or cancelled) without. */
export type PlanningOutcome =
  | { kind: 'started'; plan: Plan; parallelGroups: string[][]; decision: PlanningDecision }
  | { kind: 'ended'; error: unknown }
  /** The server is shutting down: the orchestration stays planning, for the next start or another replica. */
  | { kind: 'stopped' };

export class PlanningRuns {
  readonly #running = new Map<string, { controller: AbortController; outcome: Promise<PlanningOutcome> }>();

  constructor(private readonly options: PlanningRunsOptions) {}

  /** Plans `row` in the background; the promise tells how it ended (it never rejects). */
  plan(row: OrchestrationRow): Promise<PlanningOutcome> {
    const running = this.#running.get(row.id);
    if (running) return running.outcome;
    const controller = new AbortController();
    const outcome = this.#plan(row, controller.signal)
      .catch((error: unknown): PlanningOutcome => {
        this.options.onError(error);
        return { kind: 'ended', error };
      })
      .finally(() => this.#running.delete(row.id));
    this.#running.set(row.id, { controller, outcome });
    return outcome;
  }

  /**
   * Ends a planning orchestration as cancelled, and stops its model call if it runs here; false when its run had
   * started first (the caller then cancels the run).
   */
  async cancel(row: OrchestrationRow, reason: string): Promise<boolean> {
    const error = new CancelledError(reason);
    if (!(await this.options.ended(row.id, error, 'cancelled'))) return false;
    this.#running.get(row.id)?.controller.abort(error);
    return true;
  }

  /**
   * Takes over orchestrations left planning for longer than `staleMs` (their replica stopped): each is claimed by
   * moving its `updated_at`, so one replica plans it. Returns how many it took.
   */
  async resume(staleMs: number, limit = 50): Promise<number> {
    const rows = await this.options.db
      .selectFrom('baton_server_orchestrations')
      .selectAll()
      .where('status', '=', 'planning')
      .where('updated_at', '<', Date.now() - staleMs)
      .orderBy('updated_at')
      .limit(limit)
      .execute();
    let taken = 0;
    for (const row of rows) {
      if (this.#running.has(row.id)) continue;
      const claimed = await this.options.db
        .updateTable('baton_server_orchestrations')
        .set({ updated_at: Date.now() })
        .where('id', '=', row.id)
        .where('status', '=', 'planning')
        .where('updated_at', '=', row.updated_at)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) continue;
      this.plan(row);
      taken++;
    }
    return taken;
  }

  /** Stops every planning under way here (the server is closing; another replica or the next start resumes them). */
  close(): void {
    for (const { controller } of this.#running.values()) controller.abort(new Error('the server is shutting down'));
  }

  async #plan(row: OrchestrationRow, signal: AbortSignal): Promise<PlanningOutcome> {
    let attempts: PlanningDecision | undefined;
    try {
      const request = JSON.parse(row.request ?? '{}') as PlanningRequest;
      const planning = this.options.planning;
      if (planning === undefined) throw new Error('this server has no planner');
      const validate = async (plan: Plan) =>
        (await this.options.check(row.project_id, plan)).problems.map((problem) => ({
          ...problem,
          path: problem.path.replace(/^plan\.?/, ''),
        }));
      const actionRequest = await planning.request(
        row.project_id,
        request.action,
        request.data ?? {},
        validate,
        signal,
      );
      const planned = await (await planning.planner(row.project_id)).plan(actionRequest);
      attempts = planned.decision;
      const { problems, compiled } = await this.options.check(row.project_id, planned.plan);
      if (compiled === undefined)
        throw new Error(`the plan stopped validating: ${problems[0]?.message ?? 'unknown problem'}`);
      const budget = remainingBudget(request.budget, planned.decision.usage);
      if (await this.options.started(row, planned, compiled, { ...request, ...(budget ? { budget } : {}) })) {
        return {
          kind: 'started',
          plan: planned.plan,
          parallelGroups: compiled.parallelGroups,
          decision: planned.decision,
        };
      }
      return { kind: 'ended', error: new CancelledError('cancelled while its plan was made') };
    } catch (error) {
      if (signal.aborted) {
        return CancelledError.isInstance(signal.reason) ? { kind: 'ended', error: signal.reason } : { kind: 'stopped' };
      }
      const decision = attempts ?? decisionOf(error, this.options.planning?.modelId ?? '');
      if (decision !== undefined) {
        await this.options.db
          .updateTable('baton_server_orchestrations')
          .set({ planning: JSON.stringify(decision) })
          .where('id', '=', row.id)
          .where('status', '=', 'planning')
          .execute()
          .catch((failure: unknown) => this.options.onError(failure));
      }
      await this.options.ended(row.id, error, 'failed');
      return { kind: 'ended', error };
    }
  }
}

/** The run's budget once planning's tokens and cost are counted; a `BudgetExceededError` when planning used it up. */
function remainingBudget(budget: PlanningRequest['budget'], used: PlanningUsage): PlanningRequest['budget'] {
  if (budget === undefined) return undefined;
  const tokens = used.inputTokens + used.outputTokens;
  const remaining = { ...budget };
  if (budget.tokens !== undefined) {
    if (tokens >= budget.tokens) {
      throw new BudgetExceededError({
        budget: 'tokens',
        scope: 'run',
        limit: budget.tokens,
        amount: tokens,
        phase: 'exceeded',
      });
    }
    remaining.tokens = budget.tokens - tokens;
  }
  if (budget.costUsd !== undefined) {
    if (used.costUsd >= budget.costUsd) {
      throw new BudgetExceededError({
        budget: 'costUsd',
        scope: 'run',
        limit: budget.costUsd,
        amount: used.costUsd,
        phase: 'exceeded',
      });
    }
    remaining.costUsd = budget.costUsd - used.costUsd;
  }
  return remaining;
}

/** The model's attempts carried by a planning error, as a decision record. */
function decisionOf(error: unknown, model: string): PlanningDecision | undefined {
  const attempts = (error as { attempts?: readonly PlanningAttempt[] } | null)?.attempts;
  if (!Array.isArray(attempts) || attempts.length === 0) return undefined;
  const usage = attempts.reduce(
    (sum, attempt) => ({
      inputTokens: sum.inputTokens + attempt.usage.inputTokens,
      outputTokens: sum.outputTokens + attempt.usage.outputTokens,
      costUsd: sum.costUsd + attempt.usage.costUsd,
    }),
    { inputTokens: 0, outputTokens: 0, costUsd: 0 },
  );
  return { planner: 'llm', model, attempts, usage };
}
