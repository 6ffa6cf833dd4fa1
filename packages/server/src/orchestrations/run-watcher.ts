/**
 * Follows every run this server's engine executes: keeps each orchestration's listed status current, queues the
 * webhook events (`orchestration.succeeded|failed|cancelled`, `approval.requested`, `compensation.failed`, with
 * ids derived from the run, so a repeat after a crash is delivered once), feeds the metrics, and passes engine events
 * and the dispatcher's live notes to the event streams. `reconcile()` repairs what a crash between the end of a run
 * and its status update left behind.
 */

import { CancelledError, type RunEvent, type RunStore, serializeError } from '@baton/core';
import type { Kysely } from 'kysely';
import type { ServerTables } from '../db/server-tables.js';
import type { ServerMetrics } from '../observability/server-metrics.js';
import { isOrchestrationRun, orchestrationIdOf } from '../services/remote-target.js';
import { metricsServiceLabel } from '../services/target-name.js';
import type { DispatchStatus } from '../socket/task-dispatcher.js';
import type { LiveWebhook } from '../webhooks/webhook-store.js';
import type { BatchedOrchestrationWrites } from './batched-orchestration-writes.js';
import { type OrchestrationQueries, orchestrationQueries } from './orchestration-queries.js';
import { unscoped } from './orchestration-view.js';
import type { RunEventsHub } from './run-events-hub.js';

export interface WebhookEvent {
  id: string;
  type: string;
  timestamp: number;
  data: unknown;
}

export interface RunWatcherOptions {
  db: Kysely<ServerTables>;
  store: RunStore;
  hub: RunEventsHub;
  metrics: ServerMetrics;
  /** `live`: the project's live webhooks, when the statement that ended the orchestration read them. */
  enqueueWebhook(
    projectId: string,
    event: WebhookEvent,
    webhookId: string | null,
    live?: readonly LiveWebhook[],
  ): Promise<void>;
  /**
   * PostgreSQL: the channel on which the statement that records an orchestration's end also announces it (payload:
   * the run id), to every replica, where something may be waiting for it.
   */
  runEndedChannel?: string;
  /** PostgreSQL: the ends of many orchestrations written in one statement (announced on `runEndedChannel`). */
  batchedWrites?: BatchedOrchestrationWrites;
  onError(error: unknown): void;
}

interface OrchestrationRef {
  id: string;
  projectId: string;
  webhookId: string | null;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

export class RunWatcher {
  private readonly refs = new Map<string, OrchestrationRef>();
  private readonly waiting = new Map<string, Set<string>>();

  private readonly queries: OrchestrationQueries;

  constructor(private readonly options: RunWatcherOptions) {
    this.queries = orchestrationQueries(options.db);
  }

  /** The orchestration `runId` belongs to, known before the run's first event. */
  remember(runId: string, orchestration: OrchestrationRef): void {
    this.refs.set(runId, orchestration);
  }

  /** Steps of `runId` waiting for an instance of their service. */
  waitingSteps(runId: string): ReadonlySet<string> {
    return this.waiting.get(runId) ?? new Set();
  }

  onEngineEvent(event: RunEvent): void {
    const stepId = 'stepId' in event && typeof event.stepId === 'string' ? event.stepId : null;
    if (
      stepId !== null &&
      (event.type === 'step-finish' || event.type === 'step-error' || event.type === 'step-start')
    ) {
      this.waiting.get(event.runId)?.delete(stepId);
    }
    this.options.hub.publish({
      type: event.type,
      runId: event.runId,
      stepId,
      at: event.timestamp,
      data: event,
    });
    this.track(event).catch((error) => this.options.onError(error));
  }

  onDispatchStatus(status: DispatchStatus): void {
    const runId = status.runId;
    if (status.type === 'waiting-for-service') {
      let set = this.waiting.get(runId);
      if (set === undefined) {
        set = new Set();
        this.waiting.set(runId, set);
      }
      set.add(status.stepId);
    } else if (status.type === 'task-dispatched') this.waiting.get(runId)?.delete(status.stepId);
    const { type, runId: _run, stepId, ...data } = status;
    this.options.hub.publish({ type, runId, stepId, at: Date.now(), data });
  }

  /**
   * Orchestrations still listed as unfinished whose run has finished: their status and webhooks are caught up. One
   * whose run was never stored (the server stopped between writing the orchestration and starting its run) fails
   * once it is older than `unstartedAfterMs`: a run is stored right after its orchestration, on whichever replica.
   */
  async reconcile(limit = 200, unstartedAfterMs = 60_000): Promise<number> {
    const rows = await this.options.db
      .selectFrom('baton_server_orchestrations')
      .select(['id', 'project_id', 'run_id', 'webhook_id', 'updated_at'])
      // An orchestration being planned has no run yet, on purpose: `PlanningRuns.resume` looks after those.
      .where('status', 'not in', [...TERMINAL, 'planning'])
      .orderBy('updated_at')
      .limit(limit)
      .execute();
    let fixed = 0;
    for (const row of rows) {
      const run = await this.options.store.getRun(row.run_id);
      const ref = { id: row.id, projectId: row.project_id, webhookId: row.webhook_id };
      if (run === undefined) {
        if (Date.now() - row.updated_at < unstartedAfterMs) continue;
        this.refs.set(row.run_id, ref);
        await this.failUnstarted(row.run_id, new Error('the server stopped before the orchestration could start'));
      } else {
        if (!TERMINAL.has(run.status)) continue;
        this.refs.set(row.run_id, ref);
        await this.finish(row.run_id, ref, run.status, run.output, run.error, run.finishedAt ?? Date.now());
      }
      fixed += 1;
    }
    return fixed;
  }

  /** The engine never stored `runId`: its orchestration failed with `error`, which the row keeps. */
  async failUnstarted(runId: string, error: unknown): Promise<void> {
    this.waiting.delete(runId);
    const ref = await this.ref(runId);
    if (ref === undefined) return;
    const serialized = serializeError(error);
    const row = await this.options.db
      .selectFrom('baton_server_orchestrations')
      .select('status')
      .where('id', '=', ref.id)
      .where('run_id', '=', runId)
      .executeTakeFirst();
    if (row === undefined) return;
    if (TERMINAL.has(row.status)) {
      // The engine's own `run-error` came first and finished it: only why is left to keep.
      await this.options.db
        .updateTable('baton_server_orchestrations')
        .set({ error: JSON.stringify(serialized) })
        .where('id', '=', ref.id)
        .where('run_id', '=', runId)
        .execute();
      return;
    }
    this.options.metrics.orchestrationsFinished.inc({ status: 'failed' });
    await this.finish(runId, ref, 'failed', undefined, serialized, Date.now(), true);
  }

  /**
   * Ends an orchestration that is still being planned (its plan could not be made, or it was cancelled meanwhile),
   * only if it still is: false when its run started first, which then has to be cancelled like any run.
   */
  async endPlanning(orchestrationId: string, error: unknown, status: 'failed' | 'cancelled'): Promise<boolean> {
    const ref = await this.ref(orchestrationId);
    if (ref === undefined) return false;
    const ended = await this.finish(
      orchestrationId,
      ref,
      status,
      undefined,
      serializeError(error),
      Date.now(),
      true,
      'planning',
    );
    if (ended) this.options.metrics.orchestrationsFinished.inc({ status });
    return ended;
  }

  private async track(event: RunEvent): Promise<void> {
    switch (event.type) {
      case 'step-finish':
      case 'step-error':
        this.options.metrics.stepDuration.observe(
          {
            service: metricsServiceLabel(event.target),
            outcome: event.type === 'step-finish' ? 'succeeded' : 'failed',
          },
          event.durationMs / 1000,
        );
        return;
      case 'run-park':
        return this.setStatus(event.runId, 'waiting');
      case 'run-resume':
        return this.setStatus(event.runId, 'running');
      case 'compensation-start':
        return this.setStatus(event.runId, 'compensating');
      case 'run-finish':
        return this.finishFromEvent(event.runId, 'succeeded', event.output, undefined);
      case 'run-error':
        return this.finishFromEvent(event.runId, 'failed', undefined, event.error);
      case 'run-cancel':
        // The same error the orchestration's GET shows: the run's CancelledError with the caller's reason.
        return this.finishFromEvent(
          event.runId,
          'cancelled',
          undefined,
          serializeError(new CancelledError(event.reason)),
        );
      case 'approval-request': {
        const ref = await this.ref(event.runId);
        if (ref === undefined) return;
        await this.options.enqueueWebhook(
          ref.projectId,
          {
            id: `approval:${event.approvalId}`,
            type: 'approval.requested',
            timestamp: event.timestamp,
            data: {
              approvalId: event.approvalId,
              orchestrationId: ref.id,
              stepId: event.stepId,
              prompt: event.prompt,
              expiresAt: event.expiresAt === null ? null : new Date(event.expiresAt).toISOString(),
            },
          },
          ref.webhookId,
        );
        return;
      }
      case 'compensation-error': {
        if (!event.recorded) return;
        const ref = await this.ref(event.runId);
        if (ref === undefined) return;
        await this.options.enqueueWebhook(
          ref.projectId,
          {
            id: `${event.runId}:${event.stepId}:compensation-failed`,
            type: 'compensation.failed',
            timestamp: event.timestamp,
            data: { orchestrationId: ref.id, stepId: event.stepId, error: unscoped(ref.projectId, event.error) },
          },
          ref.webhookId,
        );
        return;
      }
      default:
        return;
    }
  }

  private async finishFromEvent(runId: string, status: string, output: unknown, error: unknown): Promise<void> {
    this.waiting.delete(runId);
    const ref = await this.ref(runId);
    if (ref === undefined) return;
    this.options.metrics.orchestrationsFinished.inc({ status });
    await this.finish(runId, ref, status, output, error, Date.now());
  }

  private async finish(
    runId: string,
    ref: OrchestrationRef,
    status: string,
    output: unknown,
    error: unknown,
    finishedAt: number,
    keepError = false,
    onlyFrom?: string,
  ): Promise<boolean> {
    const finish = {
      status,
      updated_at: Date.now(),
      finished_at: finishedAt,
      error: keepError ? JSON.stringify(error ?? null) : undefined,
      id: orchestrationIdOf(runId),
      runId,
      onlyFrom,
    };
    const { db, runEndedChannel: channel } = this.options;
    let updated: number;
    let live: readonly LiveWebhook[] | undefined;
    if (channel === undefined) {
      const rows = (await db.executeQuery(this.queries.finishReadingWebhooks(finish))).rows;
      updated = rows.length;
      live = rows[0] === undefined ? undefined : (JSON.parse(rows[0].webhooks) as LiveWebhook[]);
    } else if (this.options.batchedWrites !== undefined && finish.error === undefined && onlyFrom === undefined) {
      const outcome = await this.options.batchedWrites.finish(finish);
      updated = outcome.updated ? 1 : 0;
      live = outcome.webhooks;
    } else {
      const rows = (await db.executeQuery(this.queries.finishAndNotify({ ...finish, channel }))).rows;
      updated = rows.length;
      live = rows[0]?.webhooks;
    }
    if (onlyFrom !== undefined && updated === 0) return false;
    const data: Record<string, unknown> = { orchestrationId: ref.id, status };
    if (status === 'succeeded') data.result = output ?? null;
    else data.error = unscoped(ref.projectId, error ?? null);
    await this.options.enqueueWebhook(
      ref.projectId,
      { id: `${runId}:end`, type: `orchestration.${status}`, timestamp: finishedAt, data },
      ref.webhookId,
      live,
    );
    this.refs.delete(runId);
    return true;
  }

  private async setStatus(runId: string, status: string): Promise<void> {
    await this.options.db
      .updateTable('baton_server_orchestrations')
      .set({ status, updated_at: Date.now() })
      .where('id', '=', orchestrationIdOf(runId))
      .where('run_id', '=', runId)
      .where('status', 'not in', [...TERMINAL])
      .execute();
  }

  private async ref(runId: string): Promise<OrchestrationRef | undefined> {
    const known = this.refs.get(runId);
    if (known !== undefined) return known;
    if (!isOrchestrationRun(runId)) return undefined;
    const row = await this.options.db
      .selectFrom('baton_server_orchestrations')
      .select(['id', 'project_id', 'webhook_id'])
      .where('id', '=', orchestrationIdOf(runId))
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const ref = { id: row.id, projectId: row.project_id, webhookId: row.webhook_id };
    this.refs.set(runId, ref);
    return ref;
  }
}
