/**
 * Which service instances are connected to which replica, so that `GET /v1/services` on any replica of a PostgreSQL
 * deployment shows them all. Every `intervalMs` each replica rewrites its own instances and its heartbeat in one
 * transaction; it reads the others' rows, leaving out replicas silent for three intervals (dead ones, whose rows the
 * next write of a live replica removes). Its own instances it answers from memory. It also counts the live replicas,
 * which share the per-key rate limit.
 */
import type { Kysely } from 'kysely';
import type { ServerTables } from '../db/server-tables.js';
import type { InstanceStatus, ServiceInstance } from '../socket/service-instance.js';

export interface InstanceView {
  id: string;
  status: InstanceStatus;
  connectedAt: number;
  lastSeenAt: number;
  outstanding: number;
  maxConcurrency: number;
}

export interface InstancePresenceOptions {
  db: Kysely<ServerTables>;
  replicaId: string;
  /** This replica's connected instances now. */
  local(): ServiceInstance[];
  /** @default 2000 */
  intervalMs?: number;
  onError(error: unknown): void;
}

/** Rows per insert: well under both dialects' limits on bound parameters. */
const CHUNK = 500;

export class InstancePresence {
  /** Replicas that wrote within three intervals, this one included, as of its last write. */
  liveReplicas = 1;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly options: InstancePresenceOptions) {}

  private get intervalMs(): number {
    return this.options.intervalMs ?? 2000;
  }

  start(): void {
    this.writing = this.publish().catch(this.options.onError);
    this.timer = setInterval(() => {
      this.writing = this.writing.then(() => this.publish()).catch(this.options.onError);
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Instances other live replicas hold, by service id. */
  async others(projectId: string): Promise<Map<string, InstanceView[]>> {
    const rows = await this.options.db
      .selectFrom('baton_server_instances as i')
      .innerJoin('baton_server_replicas as r', 'r.id', 'i.replica_id')
      .selectAll('i')
      .where('i.project_id', '=', projectId)
      .where('i.replica_id', '!=', this.options.replicaId)
      .where('r.seen_at', '>=', Date.now() - 3 * this.intervalMs)
      .orderBy('i.connected_at')
      .execute();
    const byService = new Map<string, InstanceView[]>();
    for (const row of rows) {
      const list = byService.get(row.service_id) ?? [];
      list.push({
        id: row.id,
        status: row.status as InstanceStatus,
        connectedAt: row.connected_at,
        lastSeenAt: row.last_seen_at,
        outstanding: row.outstanding,
        maxConcurrency: row.max_concurrency,
      });
      byService.set(row.service_id, list);
    }
    return byService;
  }

  /** Stops writing and removes this replica's rows: its instances are leaving with it. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.writing;
    const { db, replicaId } = this.options;
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('baton_server_instances').where('replica_id', '=', replicaId).execute();
      await trx.deleteFrom('baton_server_replicas').where('id', '=', replicaId).execute();
    });
  }

  private async publish(): Promise<void> {
    const { db, replicaId } = this.options;
    const now = Date.now();
    const rows = this.options.local().map((instance) => ({
      id: instance.id,
      project_id: instance.projectId,
      service_id: instance.serviceId,
      replica_id: replicaId,
      status: instance.status,
      connected_at: instance.connectedAt,
      last_seen_at: instance.lastSeenAt,
      outstanding: instance.outstanding.size,
      max_concurrency: instance.maxConcurrency,
    }));
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('baton_server_replicas')
        .values({ id: replicaId, seen_at: now })
        .onConflict((conflict) => conflict.column('id').doUpdateSet({ seen_at: now }))
        .execute();
      const dead = trx
        .selectFrom('baton_server_replicas')
        .select('id')
        .where('seen_at', '<', now - 3 * this.intervalMs);
      await trx
        .deleteFrom('baton_server_instances')
        .where((eb) => eb.or([eb('replica_id', '=', replicaId), eb('replica_id', 'in', dead)]))
        .execute();
      // An instance that moved here keeps its id: the row of the replica it left (if not yet rewritten) is taken over.
      for (let at = 0; at < rows.length; at += CHUNK) {
        await trx
          .insertInto('baton_server_instances')
          .values(rows.slice(at, at + CHUNK))
          .onConflict((conflict) =>
            conflict.column('id').doUpdateSet((eb) => ({
              project_id: eb.ref('excluded.project_id'),
              service_id: eb.ref('excluded.service_id'),
              replica_id: eb.ref('excluded.replica_id'),
              status: eb.ref('excluded.status'),
              connected_at: eb.ref('excluded.connected_at'),
              last_seen_at: eb.ref('excluded.last_seen_at'),
              outstanding: eb.ref('excluded.outstanding'),
              max_concurrency: eb.ref('excluded.max_concurrency'),
            })),
          )
          .execute();
      }
      await trx
        .deleteFrom('baton_server_replicas')
        .where('seen_at', '<', now - 3 * this.intervalMs)
        .execute();
      const live = await trx
        .selectFrom('baton_server_replicas')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirst();
      this.liveReplicas = Math.max(1, Number(live?.count ?? 1));
    });
  }
}
