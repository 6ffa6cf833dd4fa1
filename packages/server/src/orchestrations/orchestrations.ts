/**
 * Orchestrations: a plan over a project's services, run durably by the engine. Submitting stores the orchestration
 * first (so an `Idempotency-Key` repeat finds it even while it starts) and then starts its run, whose id is the
 * orchestration's; a retry starts `<id>~<n>` from the failed run's journal, reusing the steps that succeeded and were
 * not undone. Every read is scoped by project: another project's id is simply not found.
 */

import type { CompiledPlan, Engine, JournalEntry, Plan, Problem, RunStore, VersionLocks } from '@baton/core';
import { BatonError, locksFromJournal, NotFoundError, ValidationError } from '@baton/core';
import {
  missingDataProblems,
  NoPlannerError,
  type PlanningDecision,
  PlanningFailedError,
  refusedByParam,
  type TemplateMiss,
} from '@baton/llm';
import type { CreateOrchestration, Orchestration, OrchestrationStatus, OrchestrationSummary } from '@baton/protocol';
import type { Kysely } from 'kysely';
import { decodeKeysetCursor, keysetPage, olderThan } from '../db/keyset-cursor.js';
import type { ServerTables } from '../db/server-tables.js';
import { newId } from '../db/time-ordered-id.js';
import { badRequest, conflict, HttpProblem, notFound } from '../errors/http-problem.js';
import type { ProjectPlanning } from '../planning/project-planning.js';
import { planShape } from '../services/plan-shape.js';
import type { ServiceCatalog } from '../services/service-catalog.js';
import { unscopeText } from '../services/target-name.js';
import type { BatchedOrchestrationWrites } from './batched-orchestration-writes.js';
import { CompiledPlans } from './compiled-plans.js';
import { IdempotencyKeyReusedError } from './idempotency-key-reused-error.js';
import { type OrchestrationQueries, orchestrationQueries } from './orchestration-queries.js';
import { type OrchestrationRow, orchestrationView, statusOf } from './orchestration-view.js';
import { scopePlan } from './plan-scoping.js';
import { type PlanningOutcome, type PlanningRequest, PlanningRuns } from './planning-runs.js';
import { requestDigest } from './request-digest.js';
import { REUSE_TARGET, type ReusedFrom, reusedSteps } from './reuse-target.js';
import { type StepNeeds, stepNeeds } from './started-elsewhere.js';

export interface OrchestrationsOptions {
  db: Kysely<ServerTables>;
  engine: Engine;
  store: RunStore;
  catalog: ServiceCatalog;
  /** The id of the project's webhook registered for `url`, if any. */
  webhookFor(projectId: string, url: string): Promise<string | undefined>;
  /** Steps of a run whose task waits for a service instance now. */
  waitingSteps(runId: string): ReadonlySet<string>;
  /** The schema revisions of `serviceId` that instances connected to this server serve now. */
  servedRevisions?(serviceId: string): ReadonlySet<number>;
  /** Tells the run watcher which orchestration a run belongs to, before the run starts. */
  onRunStarting?(runId: string, orchestration: { id: string; projectId: string; webhookId: string | null }): void;
  /** The engine refused to start `runId` (nothing was stored): its orchestration has failed. */
  onRunNotStarted?(runId: string, error: unknown): void;
  /** Ends an orchestration still being planned, unless its run started first (then false). */
  endPlanning?(id: string, error: unknown, status: 'failed' | 'cancelled'): Promise<boolean>;
  onError?(error: unknown): void;
  /** PostgreSQL: new orchestrations of many requests stored in one statement. */
  batchedWrites?: BatchedOrchestrationWrites;
  /** Plans actions sent in plain words; without it such a request gets a 422. */
  planning?: ProjectPlanning;
  /** An action in plain words got its plan (after the orchestration was stored, before its run starts). */
  onPlanned?(
    orchestration: { id: string; projectId: string; webhookId: string | null },
    plan: unknown,
    decision: PlanningDecision,
  ): void;
}

export interface Accepted {
  id: string;
  status: OrchestrationStatus;
  plan: Orchestration['plan'];
  parallelGroups: string[][];
  planning?: Orchestration['planning'];
}

type Compiled = { compiled: ReturnType<Engine['compile']>; parallelGroups: string[][] };

type Json = Record<string, unknown>;

export class Orchestrations {
  /** Parallel groups by engine plan, so reading an orchestration does not validate its plan again. */
  private readonly groupsById = new Map<string, string[][]>();
  /** Plans' shapes by run, for runs read here that this replica did not start (`shapeOf`). */
  private readonly shapesByRun = new Map<string, CompiledPlan | undefined>();
  /** Plans validated lately, so the same plan submitted again is not validated again. */
  private readonly compiledPlans = new CompiledPlans();
  /** Plans being made on this replica for actions sent in plain words. */
  readonly planningRuns: PlanningRuns;

  private readonly queries: OrchestrationQueries;

  constructor(private readonly options: OrchestrationsOptions) {
    this.queries = orchestrationQueries(options.db);
    this.planningRuns = new PlanningRuns({
      db: options.db,
      planning: options.planning,
      check: (projectId, plan) => this.check(projectId, plan as unknown as Json),
      started: (row, planned, compiled, request) => this.startPlanned(row, planned, compiled, request),
      ended: async (id, error, status) => (await this.options.endPlanning?.(id, error, status)) ?? false,
      onError: (error) => this.options.onError?.(error),
    });
  }

  /**
   * Stores and starts an orchestration. For an action the model plans, `waitMs` (the `Prefer: wait` of the request)
   * holds the answer until its plan is made: then it answers as for an explicit plan, or with the 422 of an action
   * that cannot be planned. `onStored` is given the row of an orchestration this call stored and started (not a
   * repeat's, nor one still being planned), so a caller that waits for its end need not read it back.
   */
  async create(
    projectId: string,
    body: CreateOrchestration,
    idempotencyKey: string | undefined,
    waitMs = 0,
    onStored?: (row: OrchestrationRow) => void,
  ): Promise<Accepted> {
    const digest = idempotencyKey === undefined ? null : requestDigest(body);
    let prepared: Awaited<ReturnType<Orchestrations['prepare']>>;
    try {
      prepared = await this.prepare(projectId, body);
    } catch (error) {
      // A repeat gets the first orchestration, even when its request would no longer be accepted.
      const existing =
        idempotencyKey === undefined ? undefined : await this.byIdempotencyKey(projectId, idempotencyKey);
      if (existing !== undefined) return this.repeated(existing, idempotencyKey as string, digest);
      throw error;
    }
    const { compiled, webhookId, data, decision } = prepared;
    const now = Date.now();
    const request: PlanningRequest = {
      action: body.action.content,
      data,
      ...(body.timeoutMs === undefined ? {} : { timeoutMs: body.timeoutMs }),
      ...(body.budget === undefined ? {} : { budget: body.budget }),
    };
    const row: OrchestrationRow = {
      id: newId('orc'),
      project_id: projectId,
      action: body.action.content,
      run_id: '',
      plan: JSON.stringify(prepared.plan),
      status: compiled === undefined ? 'planning' : 'running',
      idempotency_key: idempotencyKey ?? null,
      webhook_id: webhookId,
      retries: 0,
      created_at: now,
      updated_at: now,
      finished_at: null,
      error: null,
      planning: decision === null ? null : JSON.stringify(decision),
      // Kept only while the plan is being made: a replica that takes the planning over needs the request.
      request: compiled === undefined ? JSON.stringify(request) : null,
      request_digest: digest,
    };
    row.run_id = row.id;
    // One statement on the common path: a repeated key inserts nothing, and the first orchestration is read.
    const stored =
      this.options.batchedWrites === undefined
        ? Number((await this.options.db.executeQuery(this.queries.insert(row))).numAffectedRows ?? 0n) > 0
        : await this.options.batchedWrites.insert(row);
    if (!stored && idempotencyKey !== undefined) {
      const existing = await this.byIdempotencyKey(projectId, idempotencyKey);
      if (existing !== undefined) return this.repeated(existing, idempotencyKey, digest);
    }
    if (compiled === undefined) {
      const outcome = this.planningRuns.plan(row);
      return waitMs > 0 ? this.afterPlanning(row, outcome, waitMs) : this.planningAccepted(row);
    }
    this.options.onRunStarting?.(row.id, { id: row.id, projectId, webhookId });
    if (decision !== null) this.options.onPlanned?.({ id: row.id, projectId, webhookId }, prepared.plan, decision);
    // Answered once the run is stored too: an orchestration accepted is never one a crash can leave without its run.
    await this.start(row.id, compiled.compiled, { action: body.action, data }, body);
    this.remember(row.id, compiled.parallelGroups);
    onStored?.(row);
    return {
      id: row.id,
      status: 'running',
      plan: prepared.plan,
      parallelGroups: compiled.parallelGroups,
      ...(decision === null ? {} : { planning: decision as unknown as Orchestration['planning'] }),
    };
  }

  /**
   * What a new orchestration needs before it is stored: its plan compiled (the one sent, or a template's), its webhook
   * found; or the 4xx why not. Without either plan, `compiled` is undefined: the plan is made after the answer.
   */
  private async prepare(projectId: string, body: CreateOrchestration) {
    const webhookId = body.webhook === undefined ? null : await this.webhookId(projectId, body.webhook);
    const data = body.data ?? {};
    if (body.plan !== undefined) {
      // A read of a data field the request does not have is a problem of the plan, as it is in a model's plan.
      const unread = missingDataProblems(body.plan, data).map((problem) => ({
        ...problem,
        path: `plan.${problem.path}`,
      }));
      const compiled = await this.compile(projectId, body.plan as Json, unread);
      return { plan: body.plan as Orchestration['plan'], compiled, webhookId, data, decision: null };
    }
    const planning = this.options.planning;
    if (planning === undefined) {
      throw new HttpProblem(
        422,
        'no-planner',
        'Unprocessable content',
        new NoPlannerError(body.action.content).message,
      );
    }
    const request = await planning.request(projectId, body.action.content, data, (plan) =>
      this.problemsOf(projectId, plan),
    );
    const misses: TemplateMiss[] = [];
    const templated = await (await planning.planner(projectId))
      .fromTemplate(request, misses)
      .catch((error: unknown) => {
        if (!ValidationError.isInstance(error)) throw error;
        throw new HttpProblem(422, 'template-plan-invalid', 'Unprocessable content', error.message, {
          problems: error.problems,
        });
      });
    if (templated !== undefined) {
      const compiled = await this.compile(projectId, templated.plan as unknown as Json);
      return {
        plan: templated.plan as unknown as Orchestration['plan'],
        compiled,
        webhookId,
        data: templated.data,
        decision: templated.decision,
      };
    }
    if (!planning.hasModel) {
      const closest = refusedByParam(misses) ?? (await planning.dataConflict(projectId, body.action.content, data));
      const refused = new NoPlannerError(body.action.content, closest);
      throw new HttpProblem(422, 'no-planner', 'Unprocessable content', refused.message);
    }
    return { plan: null, compiled: undefined, webhookId, data, decision: null };
  }

  private planningAccepted(row: OrchestrationRow): Accepted {
    return { id: row.id, status: 'planning', plan: null, parallelGroups: [] };
  }

  /** The answer once the plan is made (or a 422 why it could not be), or still `planning` after `waitMs`. */
  private async afterPlanning(
    row: OrchestrationRow,
    outcome: Promise<PlanningOutcome>,
    waitMs: number,
  ): Promise<Accepted> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), waitMs);
    });
    const ended = await Promise.race([outcome, late]).finally(() => clearTimeout(timer));
    if (ended === undefined || ended.kind === 'stopped') return this.planningAccepted(row);
    if (ended.kind === 'started') {
      return {
        id: row.id,
        status: 'running',
        plan: ended.plan as unknown as Orchestration['plan'],
        parallelGroups: ended.parallelGroups,
        planning: ended.decision as unknown as Orchestration['planning'],
      };
    }
    throw unplannable(row.id, ended.error);
  }

  /** The run of an orchestration whose plan was just made: stored plan, then the run (unless it was cancelled). */
  private async startPlanned(
    row: OrchestrationRow,
    planned: { plan: Plan; data: Record<string, unknown>; decision: PlanningDecision },
    compiled: Compiled,
    request: PlanningRequest & { budget?: unknown },
  ): Promise<boolean> {
    const updated = await this.options.db
      .updateTable('baton_server_orchestrations')
      .set({
        plan: JSON.stringify(planned.plan),
        planning: JSON.stringify(planned.decision),
        status: 'running',
        request: null,
        updated_at: Date.now(),
      })
      .where('id', '=', row.id)
      .where('status', '=', 'planning')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return false;
    const orchestration = { id: row.id, projectId: row.project_id, webhookId: row.webhook_id };
    this.remember(row.id, compiled.parallelGroups);
    this.options.onRunStarting?.(row.id, orchestration);
    this.options.onPlanned?.(orchestration, planned.plan, planned.decision);
    await this.start(row.id, compiled.compiled, { action: { content: request.action }, data: planned.data }, request);
    return true;
  }

  async get(projectId: string, id: string): Promise<Orchestration> {
    return this.view(await this.row(projectId, id));
  }

  /** What `GET /v1/orchestrations/:id` answers for the orchestration stored as `row`. */
  async view(row: OrchestrationRow): Promise<Orchestration> {
    const runs = await this.runIds(row);
    const [run, journal] = await Promise.all([this.options.store.getRun(row.run_id), this.journal(row.run_id)]);
    // A run another replica holds: which steps it has begun is read from the journal, as only that replica sees them.
    const elsewhere = run?.status === 'running' && !this.runningHere(row.run_id);
    return orchestrationView({
      row,
      run,
      journal,
      handle: this.options.engine.getRun(runs[runs.length - 1] as string),
      parallelGroups: await this.parallelGroupsOf(row.id, row.run_id, run?.plan),
      waiting: this.options.waitingSteps(row.run_id),
      ...(elsewhere ? { heldElsewhere: await this.needsOf(row.run_id, run.plan) } : {}),
    });
  }

  async list(
    projectId: string,
    query: { status?: OrchestrationStatus | undefined; limit: number; cursor?: string | undefined },
  ): Promise<{ items: OrchestrationSummary[]; nextCursor: string | null }> {
    const cursor = query.cursor === undefined ? undefined : decodeKeysetCursor(query.cursor);
    let select = this.options.db
      .selectFrom('baton_server_orchestrations')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1);
    if (query.status !== undefined) select = select.where('status', '=', query.status);
    if (cursor !== undefined) select = select.where(olderThan(cursor));
    return keysetPage(await select.execute(), query.limit, (row) => ({
      id: row.id,
      action: { content: row.action },
      status: row.status as OrchestrationStatus,
      retries: row.retries,
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
      finishedAt: row.finished_at === null ? null : new Date(row.finished_at).toISOString(),
    }));
  }

  async cancel(projectId: string, id: string, reason: string | undefined): Promise<Orchestration> {
    const row = await this.row(projectId, id);
    // Still planning: ended here, unless its run started meanwhile, which is then cancelled as any run.
    if (row.status === 'planning' && (await this.planningRuns.cancel(row, reason ?? 'asked through the API'))) {
      return this.get(projectId, id);
    }
    try {
      await this.options.engine.cancel(row.run_id, reason ?? 'asked through the API');
    } catch (error) {
      if (ValidationError.isInstance(error)) {
        throw conflict('orchestration-finished', `orchestration "${id}" has finished; there is nothing to cancel`);
      }
      if (!NotFoundError.isInstance(error)) throw error;
    }
    return this.get(projectId, id);
  }

  /**
   * Runs a failed or cancelled orchestration again, reusing the outputs of the steps that succeeded and stayed done,
   * under its budget and its `timeoutMs` (counted from the retry), or the `timeoutMs` given.
   */
  async retry(projectId: string, id: string, given: { timeoutMs?: number } = {}): Promise<Accepted> {
    const row = await this.row(projectId, id);
    const run = await this.options.store.getRun(row.run_id);
    if (run === undefined && (row.status === 'failed' || row.status === 'cancelled') && row.plan === 'null') {
      const said = row.error === null ? undefined : (JSON.parse(row.error) as { message?: string }).message;
      const why = said ? ` (${unscopeText(projectId, said)})` : '';
      const ended = row.status === 'failed' ? 'failed' : 'was cancelled';
      throw conflict(
        'orchestration-never-planned',
        `orchestration "${id}" ${ended} before it had a plan${why}, so there is no plan to run again; submit the action again (a new plan is made for it), or with an explicit plan`,
      );
    }
    if (run === undefined && row.status === 'failed') {
      // Besides those never planned, only an orchestration whose run a crash kept from being stored (it never
      // answered 202) fails with none.
      throw conflict(
        'orchestration-never-started',
        `orchestration "${id}" never started: the server stopped before its run was stored, so there is nothing to run again; submit the request again, under a new Idempotency-Key if it had one`,
      );
    }
    if (run === undefined || (run.status !== 'failed' && run.status !== 'cancelled')) {
      const status = statusOf(run, row);
      throw conflict(
        'orchestration-not-failed',
        `orchestration "${id}" ${status === 'succeeded' ? 'succeeded' : `is ${status}`}; only a failed or cancelled one can be retried`,
      );
    }
    const journal = await this.journal(row.run_id);
    const plan = reusePlan((run.plan ?? {}) as Json, journal);
    const compiled = this.options.engine.compile(plan as unknown as Plan);
    const runId = `${row.id}~${row.retries + 1}`;
    const updated = await this.options.db
      .updateTable('baton_server_orchestrations')
      .set({
        run_id: runId,
        retries: row.retries + 1,
        status: 'running',
        updated_at: Date.now(),
        finished_at: null,
        error: null,
      })
      .where('id', '=', row.id)
      .where('run_id', '=', row.run_id)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) {
      throw conflict('orchestration-retried', `orchestration "${id}" is being retried already`);
    }
    this.options.onRunStarting?.(runId, { id: row.id, projectId, webhookId: row.webhook_id });
    // The steps that run again keep the versions the failed run locked, even if newer ones were registered since.
    const { deadline, budget } = (run.options ?? {}) as { deadline?: { totalMs: number }; budget?: Json };
    await this.start(runId, compiled, run.request, {
      timeoutMs: given.timeoutMs ?? deadline?.totalMs,
      budget,
      versions: locksFromJournal(journal),
    });
    return {
      id: row.id,
      status: 'running',
      plan: JSON.parse(row.plan) as Accepted['plan'],
      parallelGroups: compiled.parallelGroups.map((group) => [...group]),
    };
  }

  /** The orchestration's row, or a 404 (also for another project's id). */
  async row(projectId: string, id: string): Promise<OrchestrationRow> {
    const [row] = (await this.options.db.executeQuery(this.queries.byId({ id, projectId }))).rows;
    if (row === undefined) throw notFound('orchestration', id);
    return row;
  }

  /** Whether `runId` is executing on this replica's engine now (so its end will be announced here). */
  runningHere(runId: string): boolean {
    return this.options.engine.getRun(runId)?.snapshot().status === 'running';
  }

  /** Every run of the orchestration, first to current. */
  async runIds(row: OrchestrationRow): Promise<string[]> {
    return [row.id, ...Array.from({ length: row.retries }, (_, index) => `${row.id}~${index + 1}`)];
  }

  /** Whether a stored run has ended: a failed run is still compensating after its `run-fail` entry. */
  async runEnded(runId: string): Promise<boolean> {
    const status = (await this.options.store.getRun(runId))?.status;
    return status === 'succeeded' || status === 'failed' || status === 'cancelled';
  }

  /** A retry's steps that reuse an earlier output, with the service and input they first ran with. */
  async reusedSteps(runId: string): Promise<Map<string, ReusedFrom>> {
    return reusedSteps((await this.options.store.getRun(runId))?.plan);
  }

  /** A run's journal: empty for a run that has not been stored (yet). */
  journal(runId: string): Promise<JournalEntry[]> {
    return this.options.store.readJournal(runId);
  }

  private remember(id: string, groups: string[][]): void {
    if (this.groupsById.size >= 10_000) this.groupsById.clear();
    this.groupsById.set(id, groups);
  }

  /** What each step of run `runId` waits for, from its plan's shape (none when the plan is not one). */
  private async needsOf(runId: string, plan: unknown): Promise<StepNeeds[]> {
    const shape = await this.shapeOf(runId, plan);
    return shape === undefined ? [] : stepNeeds(shape);
  }

  /**
   * Run `runId`'s plan as the engine compiles it, every service standing in (undefined when it is not a plan), kept
   * for the runs read lately: parallel groups and step needs both come from it.
   */
  private async shapeOf(runId: string, plan: unknown): Promise<CompiledPlan | undefined> {
    if (this.shapesByRun.has(runId)) return this.shapesByRun.get(runId);
    const isPlan = typeof plan === 'object' && plan !== null && !Array.isArray(plan);
    const shape = isPlan ? (await planShape(plan as Json)).plan : undefined;
    if (this.shapesByRun.size >= 1000) this.shapesByRun.clear();
    this.shapesByRun.set(runId, shape);
    return shape;
  }

  private async parallelGroupsOf(id: string, runId: string, plan: unknown): Promise<string[][]> {
    const known = this.groupsById.get(id);
    if (known !== undefined) return known;
    // No run yet (its plan is being made): nothing to remember, or a later read would keep the empty groups.
    if (plan === undefined) return [];
    // From the plan's shape: this replica may not have its services (they connected to another, or are gone).
    const shape = await this.shapeOf(runId, plan);
    const groups = shape === undefined ? [] : shape.parallelGroups.map((group) => [...group]);
    this.remember(id, groups);
    return groups;
  }

  /**
   * The revision a plan naming `service` runs: its newest, unless no instance connected here serves it while some
   * serve older ones — a service that registered a changed schema and went away (a trial run of a new version)
   * leaves the instances still serving the one before it, and runs go to them instead of waiting for an instance
   * that is not coming.
   */
  private revisionFor(service: { id: string; revision: number } | undefined): number | undefined {
    if (service === undefined) return undefined;
    const served = this.options.servedRevisions?.(service.id);
    if (served === undefined || served.size === 0 || served.has(service.revision)) return service.revision;
    const older = [...served].filter((revision) => revision < service.revision);
    return older.length === 0 ? service.revision : Math.max(...older);
  }

  /**
   * The plan scoped to the project and validated by the engine: every problem of both, at paths in the request body
   * (`plan.steps[0].input.city`), an unknown service once; and the compiled plan when there are none.
   */
  private async check(projectId: string, plan: Json): Promise<{ problems: Problem[]; compiled?: Compiled }> {
    const scoped = await scopePlan(
      plan,
      projectId,
      async (name) => this.revisionFor(await this.options.catalog.byName(projectId, name)),
      async () => (await this.options.catalog.list(projectId)).map((service) => service.name),
    );
    const key = scoped.problems.length === 0 ? JSON.stringify([scoped.plan, [...scoped.revisions]]) : undefined;
    const known = key === undefined ? undefined : this.compiledPlans.get(key);
    if (known !== undefined) {
      return {
        problems: [],
        compiled: { compiled: known.compiled, parallelGroups: known.parallelGroups.map((group) => [...group]) },
      };
    }
    const validation = this.options.engine.validate(scoped.plan);
    const reported = scoped.problems.map((problem) => problem.path);
    // What the engine finds at or below a place scoping reported (an unknown service's target) is said already; a
    // problem of a whole step (a cycle through it) is not.
    const related = (path: string) => reported.some((known) => path === known || path.startsWith(`${known}.`));
    const engineProblems = (validation.valid ? [] : validation.problems).filter(
      (problem) => !related(`plan.${problem.path}`),
    );
    const problems = [...scoped.problems];
    for (const problem of engineProblems) {
      problems.push({
        path: `plan.${problem.path}`,
        code: problem.code,
        message:
          problem.code === 'unknown-target'
            ? await this.projectTargetsMessage(projectId, problem.message)
            : unscopeText(projectId, problem.message),
      });
    }
    if (problems.length > 0 || !validation.valid) return { problems };
    const parallelGroups = validation.parallelGroups.map((group) => [...group]);
    if (key !== undefined) this.compiledPlans.set(key, { compiled: validation.plan, parallelGroups });
    return {
      problems,
      compiled: { compiled: validation.plan, parallelGroups: parallelGroups.map((group) => [...group]) },
    };
  }

  /**
   * The engine's message for a target it does not have lists every target of its registry — every project's
   * services and the server's own: it names this project's instead.
   */
  private async projectTargetsMessage(projectId: string, message: string): Promise<string> {
    const own = [...new Set((await this.options.catalog.list(projectId)).map((service) => service.name))].sort();
    const said = unscopeText(projectId, message.replace(/ \(registered: [^)]*\)$/, ''));
    return own.length === 0 ? said : `${said} (registered in this project: ${own.slice(0, 20).join(', ')})`;
  }

  /** The compiled plan, or a 400 listing every problem, `more` (found by the caller) included. */
  private async compile(projectId: string, plan: Json, more: readonly Problem[] = []): Promise<Compiled> {
    const checked = await this.check(projectId, plan);
    const problems = [...checked.problems, ...more];
    if (checked.compiled === undefined || problems.length > 0) {
      throw badRequest('invalid-plan', planProblemsDetail(problems), problems);
    }
    return checked.compiled;
  }

  /** A plan's problems as a planner is told them: paths within the plan (`steps[0].input.city`). */
  private async problemsOf(projectId: string, plan: Plan): Promise<Problem[]> {
    const { problems } = await this.check(projectId, plan as unknown as Json);
    return problems.map((problem) => ({ ...problem, path: problem.path.replace(/^plan\.?/, '') }));
  }

  /** Starts the run; resolves once the store holds it (its first event is told only then), or it could not start. */
  private start(
    runId: string,
    plan: ReturnType<Engine['compile']>,
    request: unknown,
    options: { timeoutMs?: number | undefined; budget?: unknown; versions?: VersionLocks },
  ): Promise<void> {
    const handle = this.options.engine.run(plan, request, {
      runId,
      ...(options.timeoutMs === undefined ? {} : { deadline: options.timeoutMs }),
      ...(options.budget === undefined ? {} : { budget: options.budget as never }),
      ...(options.versions === undefined ? {} : { versions: options.versions }),
      retainEvents: false,
    });
    // The outcome is read from the store and the event stream; the handle's rejection is not an error here, unless
    // the run was never stored: then no event will ever tell that the orchestration failed.
    const ended = handle.result().then(
      () => undefined,
      async (error: unknown) => {
        if ((await this.options.store.getRun(runId).catch(() => undefined)) === undefined) {
          this.options.onRunNotStarted?.(runId, error);
        }
      },
    );
    const events = handle.events()[Symbol.asyncIterator]();
    return Promise.race([events.next(), ended]).then(() => {
      void events.return?.();
    });
  }

  private async webhookId(projectId: string, url: string): Promise<string> {
    const id = await this.options.webhookFor(projectId, url);
    if (id === undefined) {
      throw badRequest(
        'unregistered-webhook',
        `register ${url.slice(0, 200)} with POST /v1/webhooks first: its deliveries are signed with the secret that gives`,
        [{ path: 'webhook', code: 'unregistered-webhook', message: 'not a webhook URL registered in this project' }],
      );
    }
    return id;
  }

  private async byIdempotencyKey(projectId: string, key: string): Promise<OrchestrationRow | undefined> {
    return this.options.db
      .selectFrom('baton_server_orchestrations')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
  }

  /**
   * The first orchestration of a repeated `Idempotency-Key`, when the request is the same; a 422 when it is not. Rows
   * stored before digests were kept have none: any request with their key gets them, as it did then.
   */
  private async repeated(existing: OrchestrationRow, key: string, digest: string | null): Promise<Accepted> {
    if (existing.request_digest !== null && existing.request_digest !== digest) {
      throw new IdempotencyKeyReusedError(key, existing.id);
    }
    return this.accepted(existing);
  }

  private async accepted(row: OrchestrationRow): Promise<Accepted> {
    if (row.status === 'planning') return { id: row.id, status: 'planning', plan: null, parallelGroups: [] };
    const run = await this.options.store.getRun(row.run_id);
    const validation = run === undefined ? undefined : this.options.engine.validate(run.plan);
    return {
      id: row.id,
      status: statusOf(run, row),
      plan: JSON.parse(row.plan) as Accepted['plan'],
      parallelGroups: validation?.valid ? validation.parallelGroups.map((group) => [...group]) : [],
    };
  }
}

/** The 422 of an action that got no plan: why, with the orchestration it left (failed) as the problem's instance. */
function unplannable(id: string, error: unknown): HttpProblem {
  const code = BatonError.isInstance(error) ? error.code : 'planning-failed';
  const message = error instanceof Error ? error.message : String(error);
  const problems = PlanningFailedError.isInstance(error) ? [...error.problems] : undefined;
  return new HttpProblem(422, code, 'Unprocessable content', message, {
    instance: `/v1/orchestrations/${id}`,
    ...(problems ? { problems } : {}),
  });
}

/**
 * The failed run's plan with each step that succeeded (and was not compensated) replaced by its output, keeping the
 * service and input it first ran with — through any number of retries.
 */
function reusePlan(plan: Json, journal: readonly JournalEntry[]): Json {
  const done = new Map<string, { output?: unknown; target?: unknown; input?: unknown }>();
  const undone = new Set<string>();
  for (const entry of journal) {
    if (entry.stepKey === null) continue;
    if (entry.type === 'step-finish') done.set(entry.stepKey, (entry.data ?? {}) as { output?: unknown });
    if (entry.type === 'compensation-finish') undone.add(entry.stepKey);
  }
  const earlier = reusedSteps(plan);
  const steps = (Array.isArray(plan.steps) ? plan.steps : []) as Json[];
  return {
    ...plan,
    steps: steps.map((step) => {
      const id = step.id as string;
      const finished = done.get(id);
      if (finished === undefined || undone.has(id) || step.loop !== undefined || step.target === undefined) return step;
      const from = earlier.get(id) ?? {
        target: typeof finished.target === 'string' ? finished.target : null,
        input: finished.input ?? null,
      };
      const reused: Json = {
        id,
        target: REUSE_TARGET,
        input: { output: { $literal: finished.output ?? null }, from: { $literal: from as unknown as Json } },
      };
      if (step.dependsOn !== undefined) reused.dependsOn = step.dependsOn;
      return reused;
    }),
  };
}

/** A 400's detail for a plan: how many problems, and the first of them in words (all are in `problems`). */
function planProblemsDetail(problems: readonly Problem[]): string {
  const shown = problems.slice(0, 3).map((problem) => `${problem.path}: ${problem.message}`);
  const more = problems.length > 3 ? `; and ${problems.length - 3} more` : '';
  return `the plan has ${problems.length} problem(s): ${shown.join('; ')}${more}`;
}
