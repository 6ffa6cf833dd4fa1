/**
 * Tasks across replicas on PostgreSQL. A task for a service with an instance connected here goes straight to it; any
 * other is queued in `baton_server_tasks` and announced with NOTIFY. Each replica takes the queued tasks of the
 * services connected to it (`FOR UPDATE SKIP LOCKED`, under a lease it renews), runs them through its dispatcher and
 * stores the outcome, which wakes the replica waiting for it. A replica that dies loses its leases, and the tasks it
 * held are taken by a replica its services reconnect to; a repeat carries the same idempotency key, so the service
 * answers it from its result cache. Notifications only wake: every state is in the table, and waits also poll.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { PostgresListener } from '../db/postgres-listener.js';
import type { ServerTables } from '../db/server-tables.js';
import { ServiceUnavailableError } from './dispatch-errors.js';
import type {
  CompensationOutcome,
  CompensationSpec,
  DispatchStatus,
  ServiceRef,
  TaskDispatcher,
  TaskOutcome,
  TaskSpec,
} from './task-dispatcher.js';
import type { TaskRouter } from './task-router.js';

const CHANNEL_QUEUED = 'baton_server_task_queued';
const CHANNEL_DONE = 'baton_server_task_done';
const CHANNEL_CANCEL = 'baton_server_task_cancel';
/** Announces the end of a run to every replica (payload: the run id); sent with the orchestration's final status. */
export const CHANNEL_RUN_ENDED = 'baton_server_run_ended';

interface QueuedTask {
  kind: 'task' | 'compensate';
  service: ServiceRef;
  spec: TaskSpec | CompensationSpec;
}

export interface PostgresTaskQueueOptions {
  db: Kysely<ServerTables>;
  dispatcher: TaskDispatcher;
  /** A connection string for the LISTEN connection. */
  url: string;
  replicaId: string;
  graceMs: number;
  /** @default 15000 */
  leaseMs?: number;
  /** @default 500 */
  pollMs?: number;
  newId: () => string;
  onStatus?: (status: DispatchStatus) => void;
  /** Another replica (or this one) announced the end of a run. */
  onRunEnded?: (runId: string) => void;
  onError: (error: unknown) => void;
}

interface Waiter {
  resolve(outcome: unknown): void;
  reject(error: unknown): void;
}

export class PostgresTaskQueue implements TaskRouter {
  private readonly waiters = new Map<string, Waiter>();
  private readonly held = new Map<string, AbortController>();
  private readonly listener: PostgresListener;
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private pulling = false;
  private pullAgain = false;

  constructor(private readonly options: PostgresTaskQueueOptions) {
    this.listener = new PostgresListener({
      url: options.url,
      channels: [CHANNEL_QUEUED, CHANNEL_DONE, CHANNEL_CANCEL, CHANNEL_RUN_ENDED],
      onNotification: (channel, payload) => this.notified(channel, payload),
      onError: options.onError,
    });
  }

  private notified(channel: string, payload: string | undefined): void {
    if (channel === CHANNEL_QUEUED) this.pull();
    else if (payload === undefined) return;
    else if (channel === CHANNEL_DONE) {
      if (this.waiters.has(payload)) void this.checkWaiters([payload]).catch(this.options.onError);
    } else if (channel === CHANNEL_CANCEL) {
      this.held.get(payload)?.abort(new Error('the orchestration no longer wants this task'));
    } else if (channel === CHANNEL_RUN_ENDED) this.options.onRunEnded?.(payload);
  }

  async start(): Promise<void> {
    await this.listener.start();
    const poll = this.options.pollMs ?? 500;
    this.timers.push(
      setInterval(() => {
        this.pull();
        void this.checkWaiters().catch(this.options.onError);
      }, poll),
      setInterval(() => void this.renewLeases().catch(this.options.onError), (this.options.leaseMs ?? 15_000) / 3),
    );
    for (const timer of this.timers) timer.unref();
  }

  /** Called when an instance connects here: its service's queued tasks may now be taken. */
  instancesChanged(): void {
    this.pull();
  }

  /**
   * Straight to an instance here when one is connected; should it go away and not come back here (its service may
   * reconnect to another replica), the task goes through the shared queue.
   */
  run(service: ServiceRef, spec: TaskSpec, signal: AbortSignal): Promise<TaskOutcome> {
    const queued = () => this.enqueue<TaskOutcome>({ kind: 'task', service, spec }, signal);
    if (!this.hasLocal(service)) return queued();
    return this.options.dispatcher.run(service, spec, signal, { elsewhere: queued });
  }

  compensate(service: ServiceRef, spec: CompensationSpec, signal: AbortSignal): Promise<CompensationOutcome> {
    const queued = () => this.enqueue<CompensationOutcome>({ kind: 'compensate', service, spec }, signal);
    if (!this.hasLocal(service)) return queued();
    return this.options.dispatcher.compensate(service, spec, signal, { elsewhere: queued });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const controller of this.held.values()) controller.abort(new Error('the replica is shutting down'));
    await this.release([...this.held.keys()]).catch(() => {});
    await this.listener.close();
  }

  /** An instance of the service, at the run's revision, takes tasks here. */
  private hasLocal(service: ServiceRef): boolean {
    return this.options.dispatcher
      .connectedInstances(service.id)
      .some((instance) => instance.status === 'up' && instance.serves(service.revision));
  }

  private async enqueue<T>(task: QueuedTask, signal: AbortSignal): Promise<T> {
    const id = this.options.newId();
    const { db } = this.options;
    const outcome = new Promise<T>((resolve, reject) => {
      this.waiters.set(id, { resolve: resolve as (outcome: unknown) => void, reject });
    });
    await db
      .insertInto('baton_server_tasks')
      .values({
        id,
        project_id: task.service.projectId,
        service_id: task.service.id,
        payload: JSON.stringify(task),
        status: 'queued',
        claimed_by: null,
        lease_until: null,
        outcome: null,
        created_at: Date.now(),
      } as never)
      .execute();
    await sql`select pg_notify(${CHANNEL_QUEUED}, ${task.service.id})`.execute(db);
    const onAbort = () => void this.cancel(id, signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    // A task taken by a replica is not waiting: its grace period starts again, in case it comes back to the queue.
    let grace: NodeJS.Timeout | undefined;
    const expireLater = () => {
      grace = setTimeout(
        () =>
          void this.expire(id, task)
            .then((taken) => taken && this.waiters.has(id) && expireLater())
            .catch(this.options.onError),
        this.options.graceMs,
      );
    };
    expireLater();
    const announce = setTimeout(
      () => void this.announceIfQueued(id, task).catch(this.options.onError),
      this.options.pollMs ?? 500,
    );
    try {
      return await outcome;
    } finally {
      clearTimeout(grace);
      clearTimeout(announce);
      signal.removeEventListener('abort', onAbort);
      this.waiters.delete(id);
    }
  }

  private async announceIfQueued(id: string, task: QueuedTask): Promise<void> {
    const row = await this.options.db
      .selectFrom('baton_server_tasks')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirst();
    if (row?.status !== 'queued') return;
    this.options.onStatus?.({
      type: 'waiting-for-service',
      runId: task.spec.runId,
      stepId: task.spec.stepId,
      service: task.service.name,
      serviceId: task.service.id,
    });
  }

  /** Ends the wait of a task still queued; true when a replica holds it instead (it is not waiting). */
  private async expire(id: string, task: QueuedTask): Promise<boolean> {
    const updated = await this.options.db
      .updateTable('baton_server_tasks')
      .set({ status: 'expired' })
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) {
      this.waiters.get(id)?.reject(new ServiceUnavailableError(task.service.name, this.options.graceMs));
      return false;
    }
    const row = await this.options.db
      .selectFrom('baton_server_tasks')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.status === 'claimed';
  }

  private async cancel(id: string, reason: unknown): Promise<void> {
    this.waiters.get(id)?.reject(reason);
    await this.options.db
      .updateTable('baton_server_tasks')
      .set({ status: 'cancelled' })
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'claimed'])
      .execute();
    await sql`select pg_notify(${CHANNEL_CANCEL}, ${id})`.execute(this.options.db);
  }

  /** Outcomes whose notification was missed (a lost LISTEN connection) are read here. */
  private async checkWaiters(ids: readonly string[] = [...this.waiters.keys()]): Promise<void> {
    if (ids.length === 0) return;
    const rows = await this.options.db
      .selectFrom('baton_server_tasks')
      .select(['id', 'outcome'])
      .where('id', 'in', ids)
      .where('status', '=', 'done')
      .execute();
    for (const row of rows) {
      const waiter = this.waiters.get(row.id);
      if (waiter === undefined || row.outcome === null) continue;
      this.waiters.delete(row.id);
      waiter.resolve(JSON.parse(row.outcome));
    }
  }

  private pull(): void {
    if (this.closed) return;
    if (this.pulling) {
      this.pullAgain = true;
      return;
    }
    this.pulling = true;
    void this.claim()
      .catch(this.options.onError)
      .finally(() => {
        this.pulling = false;
        if (this.pullAgain) {
          this.pullAgain = false;
          this.pull();
        }
      });
  }

  /** Takes queued tasks of the services, at the revisions, whose instances are connected here. */
  private async claim(): Promise<void> {
    const up = this.options.dispatcher.allInstances().filter((instance) => instance.status === 'up');
    const services = [...new Set(up.map((instance) => instance.serviceId))];
    if (services.length === 0) return;
    // A task names the revision its run resolved (in its payload); one queued by an older server names none.
    const revisions = [...new Set(up.map((instance) => `${instance.serviceId}@${instance.revision ?? ''}`))];
    const now = Date.now();
    const lease = now + (this.options.leaseMs ?? 15_000);
    const claimed = await sql<{ id: string; payload: string }>`
      with picked as materialized (
        select id from baton_server_tasks
        where service_id in (${sql.join(services)})
          and (payload::jsonb #>> '{service,revision}' is null
            or service_id || '@' || (payload::jsonb #>> '{service,revision}') in (${sql.join(revisions)}))
          and (status = 'queued' or (status = 'claimed' and lease_until < ${now}))
        order by seq
        limit 64
        for update skip locked
      )
      update baton_server_tasks as t
      set status = 'claimed', claimed_by = ${this.options.replicaId}, lease_until = ${lease}
      from picked where t.id = picked.id
      returning t.id, t.payload`.execute(this.options.db);
    for (const row of claimed.rows) this.runClaimed(row.id, JSON.parse(row.payload) as QueuedTask);
  }

  /**
   * Runs a task taken from the queue on an instance here. Should that instance go away and not come back here, the
   * task goes back to the queue at once, for the replica its service reconnects to.
   */
  private runClaimed(id: string, task: QueuedTask): void {
    const controller = new AbortController();
    this.held.set(id, controller);
    const dispatcher = this.options.dispatcher;
    const elsewhere = () => Promise.reject(new Error('no instance of the service is connected here any more'));
    const running =
      task.kind === 'task'
        ? dispatcher.run(task.service, task.spec, controller.signal, { elsewhere })
        : dispatcher.compensate(task.service, task.spec as CompensationSpec, controller.signal, { elsewhere });
    running
      .then(
        (outcome) => this.complete(id, outcome),
        () => (controller.signal.aborted ? undefined : this.release([id])),
      )
      .catch(this.options.onError)
      .finally(() => this.held.delete(id));
  }

  private async complete(id: string, outcome: unknown): Promise<void> {
    const updated = await this.options.db
      .updateTable('baton_server_tasks')
      .set({ status: 'done', outcome: JSON.stringify(outcome) })
      .where('id', '=', id)
      .where('status', '=', 'claimed')
      .where('claimed_by', '=', this.options.replicaId)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0)
      await sql`select pg_notify(${CHANNEL_DONE}, ${id})`.execute(this.options.db);
  }

  /** Gives tasks back to the queue (their instance left here before answering). */
  private async release(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.options.db
      .updateTable('baton_server_tasks')
      .set({ status: 'queued', claimed_by: null, lease_until: null })
      .where('id', 'in', ids)
      .where('status', '=', 'claimed')
      .where('claimed_by', '=', this.options.replicaId)
      .execute();
    await sql`select pg_notify(${CHANNEL_QUEUED}, '')`.execute(this.options.db);
  }

  private async renewLeases(): Promise<void> {
    const ids = [...this.held.keys()];
    if (ids.length === 0) return;
    await this.options.db
      .updateTable('baton_server_tasks')
      .set({ lease_until: Date.now() + (this.options.leaseMs ?? 15_000) })
      .where('id', 'in', ids)
      .where('claimed_by', '=', this.options.replicaId)
      .where('status', '=', 'claimed')
      .execute();
  }
}
