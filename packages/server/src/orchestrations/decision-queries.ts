/**
 * The engine's approvals and failed compensations of one project, read in SQL: each row joined with the orchestration
 * its run belongs to (the run's id up to a `~`, which only retries add), so a request reads a page of its own
 * project's rows — never every project's, filtered afterwards. Pages go oldest first, the order a person works
 * through them, with the keyset cursors of `db/keyset-cursor.ts`.
 */
import {
  type ApprovalStatus,
  type ApprovalsTable,
  type CompensationStatus,
  type FailedCompensation,
  type FailedCompensationsTable,
  type StoredApproval,
  toFailedCompensation,
  toStoredApproval,
} from '@baton/core';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { decodeKeysetCursor, keysetPage } from '../db/keyset-cursor.js';
import type { ServerTables } from '../db/server-tables.js';

export interface DecisionFilter<Status> {
  status?: Status;
  /** Only the rows of this orchestration's runs (its first run and its retries). */
  orchestrationId?: string;
  limit: number;
  cursor?: string;
}

export interface DecisionPage<T> {
  items: T[];
  nextCursor: string | null;
}

/** PostgreSQL's driver reads BIGINT columns as strings here: the times as numbers, as the store's own reads have them. */
const time = (value: number | null): number | null => (value === null ? null : Number(value));

const approvalOf = (row: ApprovalsTable): StoredApproval =>
  toStoredApproval({
    ...row,
    expires_at: time(row.expires_at),
    created_at: Number(row.created_at),
    decided_at: time(row.decided_at),
  });

const compensationOf = (row: FailedCompensationsTable): FailedCompensation =>
  toFailedCompensation({ ...row, created_at: Number(row.created_at), updated_at: Number(row.updated_at) });

type Table = 'baton_approvals' | 'baton_failed_compensations';

export class DecisionQueries {
  /** The orchestration id of row `d`'s run. */
  readonly #orchestrationId: RawBuilder<string>;

  constructor(
    private readonly db: Kysely<ServerTables>,
    dialect: 'sqlite' | 'postgres',
  ) {
    this.#orchestrationId =
      dialect === 'postgres'
        ? sql<string>`split_part(d.run_id, '~', 1)`
        : sql<string>`(case when instr(d.run_id, '~') > 0 then substr(d.run_id, 1, instr(d.run_id, '~') - 1) else d.run_id end)`;
  }

  async approvals(projectId: string, filter: DecisionFilter<ApprovalStatus>): Promise<DecisionPage<StoredApproval>> {
    return this.#page<ApprovalsTable, StoredApproval>('baton_approvals', projectId, filter, approvalOf);
  }

  async compensationFailures(
    projectId: string,
    filter: DecisionFilter<CompensationStatus>,
  ): Promise<DecisionPage<FailedCompensation>> {
    return this.#page<FailedCompensationsTable, FailedCompensation>(
      'baton_failed_compensations',
      projectId,
      filter,
      compensationOf,
    );
  }

  /** One approval, when its run belongs to the project. */
  async approval(projectId: string, id: string): Promise<StoredApproval | undefined> {
    const rows = await this.#rows<ApprovalsTable>('baton_approvals', projectId, [sql`d.id = ${id}`], 1);
    return rows[0] && approvalOf(rows[0]);
  }

  /** One failed compensation, when its run belongs to the project. */
  async compensationFailure(projectId: string, id: string): Promise<FailedCompensation | undefined> {
    const rows = await this.#rows<FailedCompensationsTable>(
      'baton_failed_compensations',
      projectId,
      [sql`d.id = ${id}`],
      1,
    );
    return rows[0] && compensationOf(rows[0]);
  }

  async #page<Row extends { id: string; created_at: number }, Item>(
    table: Table,
    projectId: string,
    filter: DecisionFilter<string>,
    view: (row: Row) => Item,
  ): Promise<DecisionPage<Item>> {
    const conditions: RawBuilder<unknown>[] = [];
    if (filter.status !== undefined) conditions.push(sql`d.status = ${filter.status}`);
    if (filter.orchestrationId !== undefined)
      conditions.push(sql`${this.#orchestrationId} = ${filter.orchestrationId}`);
    if (filter.cursor !== undefined) {
      const after = decodeKeysetCursor(filter.cursor);
      conditions.push(
        sql`(d.created_at > ${after.createdAt} or (d.created_at = ${after.createdAt} and d.id > ${after.id}))`,
      );
    }
    const rows = await this.#rows<Row>(table, projectId, conditions, filter.limit + 1);
    return keysetPage(
      rows.map((row) => ({ ...row, created_at: Number(row.created_at) })),
      filter.limit,
      view,
    );
  }

  async #rows<Row>(table: Table, projectId: string, conditions: RawBuilder<unknown>[], limit: number): Promise<Row[]> {
    const where = sql.join([sql`o.project_id = ${projectId}`, ...conditions], sql` and `);
    const query = sql<Row>`select d.* from ${sql.table(table)} as d
      join baton_server_orchestrations as o on o.id = ${this.#orchestrationId}
      where ${where}
      order by d.created_at, d.id
      limit ${limit}`;
    return (await query.execute(this.db)).rows;
  }
}
