/**
 * Which service instances are connected to which replica, so that `GET /v1/services` on any replica of a PostgreSQL
 * deployment shows them all. Every `intervalMs` each replica rewrites its own instances and its heartbeat in one
 * transaction; it reads the others' rows, leaving out replicas silent for three intervals (dead ones, whose rows the
 * next write of a live replica removes). Its own instances it answers from memory. It also counts the live replicas,
 * which share the per-key rate limit. Times are the database's (`now()`), so replicas whose clocks disagree still
 * agree on who is alive; the writes take one advisory lock, so two replicas never remove each other's rows at once.
 */
import { type Kysely, sql } from 'kysely';
import type { ServerTables } from '../db/server-tables.js';
import type { InstanceStatus, ServiceInstance } from '../socket/service-instance.js';

export interface InstanceView {
  id: string;
  status: InstanceStatus;
  connectedAt: number;
  lastSeenAt: number;
  outstanding: number;
  maxConcurrency: number;
  /** The schema revision it registered; null when unknown. */
  version: number | null;
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

/** Rows per insert: well under PostgreSQL's limit on bound parameters. */
const CHUNK = 500;
/** The advisory lock the replicas' presence writes take in turn (an arbitrary constant of Baton's). */
const PRESENCE_LOCK = 0x6261746f;
/** The database's clock, in milliseconds since the epoch. */
const databaseNow = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

export class InstancePresence {
  /** Replicas that wrote within three intervals, this one included, as of its last write. */
  liveReplicas = 1;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** A write is under way: a tick that comes meanwhile is skipped, not queued. */
  private busy = false;

  constructor(private readonly options: InstancePresenceOptions) {}

  private get intervalMs(): number {
    return this.options.intervalMs ?? 2000;
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  private tick(): void {
    if (this.busy) return;
    this.busy = true;
    this.writing = this.publish()
      .catch(this.options.onError)
      .finally(() => {
        this.busy = false;
      });
  }

  /** Instances other live replicas hold, by service id. */
  async others(projectId: string): Promise<Map<string, InstanceView[]>> {
    const rows = await this.options.db
      .selectFrom('baton_server_instances as i')
      .innerJoin('baton_server_replicas as r', 'r.id', 'i.replica_id')
      .selectAll('i')
      .where('i.project_id', '=', projectId)
      .where('i.replica_id', '!=', this.options.replicaId)
      .where('r.seen_at', '>=', sql<number>`${databaseNow} - ${3 * this.intervalMs}`)
      .orderBy('i.connected_at')
      .execute();
    // An instance that moved between replicas is listed by both until the one it left writes again: the newest counts.
    const newest = new Map<string, (typeof rows)[number]>();
    for (const row of rows) newest.set(row.id, row);
    const byService = new Map<string, InstanceView[]>();
    for (const row of newest.values()) {
      const list = byService.get(row.service_id) ?? [];
      list.push({
        id: row.id,
        status: row.status as InstanceStatus,
        connectedAt: row.connected_at,
        lastSeenAt: row.last_seen_at,
        outstanding: row.outstanding,
        maxConcurrency: row.max_concurrency,
        version: row.revision,
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
    // One row per instance: the same id twice (an old socket still closing, two projects) keeps the newest.
    const newest = new Map<string, ServiceInstance>();
    for (const instance of this.options.local()) {
      const key = `${instance.projectId}\n${instance.id}`;
      const known = newest.get(key);
      if (known === undefined || known.connectedAt <= instance.connectedAt) newest.set(key, instance);
    }
    const rows = [...newest.values()].map((instance) => ({
      id: instance.id,
      project_id: instance.projectId,
      service_id: instance.serviceId,
      replica_id: replicaId,
      status: instance.status,
      connected_at: instance.connectedAt,
      last_seen_at: instance.lastSeenAt,
      outstanding: instance.outstanding.size,
      max_concurrency: instance.maxConcurrency,
      revision: instance.revision ?? null,
    }));
    await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${PRESENCE_LOCK})`.execute(trx);
      const { rows: clock } = await sql<{ now: number }>`select ${databaseNow} as now`.execute(trx);
      const now = Number(clock[0]?.now);
      const silentSince = now - 3 * this.intervalMs;
      await trx
        .insertInto('baton_server_replicas')
        .values({ id: replicaId, seen_at: now })
        .onConflict((conflict) => conflict.column('id').doUpdateSet({ seen_at: now }))
        .execute();
      const dead = trx.selectFrom('baton_server_replicas').select('id').where('seen_at', '<', silentSince);
      await trx
        .deleteFrom('baton_server_instances')
        .where((eb) => eb.or([eb('replica_id', '=', replicaId), eb('replica_id', 'in', dead)]))
        .execute();
      for (let at = 0; at < rows.length; at += CHUNK) {
        await trx
          .insertInto('baton_server_instances')
          .values(rows.slice(at, at + CHUNK))
          .execute();
      }
      await trx.deleteFrom('baton_server_replicas').where('seen_at', '<', silentSince).execute();
      const live = await trx
        .selectFrom('baton_server_replicas')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirst();
      this.liveReplicas = Math.max(1, Number(live?.count ?? 1));
    });
  }
}
