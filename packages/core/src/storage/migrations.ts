/**
 * The schema, as an ordered list of versioned migrations written once with Kysely's schema builder for both dialects.
 * A migration is a list of statements (not a callback) so the SQLite runner can apply it synchronously inside one
 * `BEGIN IMMEDIATE` transaction and the PostgreSQL runner inside one transaction under an advisory lock.
 * Append new migrations; never edit a released one.
 */
import { type Compilable, type Kysely, sql } from 'kysely';
import type { BatonDatabase } from './database-schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Migration {
  version: number;
  name: string;
  statements(db: Kysely<unknown>, dialect: Dialect): Compilable[];
}

function initialSchema(db: Kysely<unknown>, dialect: Dialect): Compilable[] {
  const schema = db.schema;
  // SQLite: the journal is clustered on its primary key, so an append writes one B-tree page instead of two.
  const journalTable = schema.createTable('baton_journal');
  return [
    schema
      .createTable('baton_schema')
      .addColumn('version', 'integer', (column) => column.primaryKey())
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('applied_at', 'bigint', (column) => column.notNull()),
    schema
      .createTable('baton_runs')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('plan', 'text', (column) => column.notNull())
      .addColumn('request', 'text')
      .addColumn('options', 'text')
      .addColumn('output', 'text')
      .addColumn('error', 'text')
      .addColumn('owner', 'text')
      .addColumn('lease_expires_at', 'bigint')
      .addColumn('wake_at', 'bigint')
      .addColumn('wake_requested', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('idempotency_key', 'text', (column) => column.unique())
      .addColumn('last_seq', 'integer', (column) => column.notNull().defaultTo(-1))
      .addColumn('last_hash', 'text', (column) => column.notNull())
      .addColumn('created_at', 'bigint', (column) => column.notNull())
      .addColumn('updated_at', 'bigint', (column) => column.notNull())
      .addColumn('finished_at', 'bigint'),
    schema.createIndex('baton_runs_by_lease').on('baton_runs').columns(['status', 'lease_expires_at']),
    schema.createIndex('baton_runs_by_wake').on('baton_runs').columns(['status', 'wake_at']),
    schema.createIndex('baton_runs_by_finish').on('baton_runs').column('finished_at'),
    schema.createIndex('baton_runs_by_creation').on('baton_runs').column('created_at'),
    (dialect === 'sqlite' ? journalTable.modifyEnd(sql`without rowid`) : journalTable)
      .addColumn('run_id', 'text', (column) => column.notNull().references('baton_runs.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (column) => column.notNull())
      .addColumn('type', 'text', (column) => column.notNull())
      .addColumn('step_key', 'text')
      .addColumn('data', 'text', (column) => column.notNull())
      .addColumn('prev_hash', 'text', (column) => column.notNull())
      .addColumn('hash', 'text', (column) => column.notNull())
      .addColumn('created_at', 'bigint', (column) => column.notNull())
      .addPrimaryKeyConstraint('baton_journal_pk', ['run_id', 'seq']),
    schema
      .createTable('baton_blobs')
      .addColumn('hash', 'text', (column) => column.primaryKey())
      .addColumn('content', 'text', (column) => column.notNull())
      .addColumn('size', 'integer', (column) => column.notNull())
      .addColumn('created_at', 'bigint', (column) => column.notNull()),
    schema
      .createTable('baton_journal_blobs')
      .addColumn('run_id', 'text', (column) => column.notNull().references('baton_runs.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (column) => column.notNull())
      .addColumn('blob_hash', 'text', (column) => column.notNull().references('baton_blobs.hash'))
      .addPrimaryKeyConstraint('baton_journal_blobs_pk', ['run_id', 'seq', 'blob_hash']),
    schema.createIndex('baton_journal_blobs_by_blob').on('baton_journal_blobs').column('blob_hash'),
    schema
      .createTable('baton_approvals')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('run_id', 'text', (column) => column.notNull().references('baton_runs.id').onDelete('cascade'))
      .addColumn('step_key', 'text', (column) => column.notNull())
      .addColumn('prompt', 'text', (column) => column.notNull())
      .addColumn('data', 'text')
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('decision', 'text')
      .addColumn('expires_at', 'bigint')
      .addColumn('created_at', 'bigint', (column) => column.notNull())
      .addColumn('decided_at', 'bigint'),
    schema.createIndex('baton_approvals_by_run').on('baton_approvals').column('run_id'),
    schema.createIndex('baton_approvals_by_status').on('baton_approvals').columns(['status', 'created_at']),
    schema
      .createTable('baton_failed_compensations')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('run_id', 'text', (column) => column.notNull().references('baton_runs.id').onDelete('cascade'))
      .addColumn('step_key', 'text', (column) => column.notNull())
      .addColumn('target', 'text', (column) => column.notNull())
      .addColumn('error', 'text')
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('reason', 'text')
      .addColumn('created_at', 'bigint', (column) => column.notNull())
      .addColumn('updated_at', 'bigint', (column) => column.notNull()),
    schema.createIndex('baton_failed_compensations_by_run').on('baton_failed_compensations').column('run_id'),
    schema
      .createIndex('baton_failed_compensations_by_status')
      .on('baton_failed_compensations')
      .columns(['status', 'created_at']),
    schema
      .createTable('baton_idempotency')
      .addColumn('key', 'text', (column) => column.primaryKey())
      .addColumn('value', 'text')
      .addColumn('expires_at', 'bigint', (column) => column.notNull()),
    schema.createIndex('baton_idempotency_by_expiry').on('baton_idempotency').column('expires_at'),
  ];
}

/**
 * Durable cancel requests (a reason on the run, read by whichever engine holds or claims it) and one failed
 * compensation per run and step, so recording it again after a crash is a no-op. Duplicates an earlier version may
 * have left are folded first: a row a person already closed is kept over an open one, else the earliest.
 */
function cancelRequestsAndUniqueCompensations(db: Kysely<unknown>): Compilable[] {
  const typed = db as unknown as Kysely<BatonDatabase>;
  return [
    db.schema.alterTable('baton_runs').addColumn('cancel_requested', 'text'),
    typed.deleteFrom('baton_failed_compensations').where(
      sql<boolean>`exists (select 1 from baton_failed_compensations as kept
          where kept.run_id = baton_failed_compensations.run_id
            and kept.step_key = baton_failed_compensations.step_key
            and kept.id <> baton_failed_compensations.id
            and (case when kept.status = 'open' then 1 else 0 end,
                 kept.created_at, kept.id) < (case when baton_failed_compensations.status = 'open' then 1 else 0 end,
                 baton_failed_compensations.created_at, baton_failed_compensations.id))`,
    ),
    db.schema
      .createIndex('baton_failed_compensations_by_step')
      .unique()
      .on('baton_failed_compensations')
      .columns(['run_id', 'step_key']),
  ];
}

/**
 * PostgreSQL: the journal loses its foreign key to the run. Every append is already fenced by the run row (the head
 * moves, or the row is locked, in the same statement), so the key checked nothing new, yet its per-row lookup was
 * the largest part of writing a batch. Purge deletes a run's journal itself now. SQLite keeps its key: it costs
 * nothing there worth a table rebuild.
 */
function journalWithoutRunKey(db: Kysely<unknown>, dialect: Dialect): Compilable[] {
  if (dialect === 'sqlite') return [];
  return [db.schema.alterTable('baton_journal').dropConstraint('baton_journal_run_id_fkey').ifExists()];
}

/**
 * Claims on idempotency keys: a holder records itself (with a lease) before it calls the handler, so a holder in
 * another process waits for its result instead of calling the handler too.
 */
function idempotencyClaims(db: Kysely<unknown>): Compilable[] {
  return [
    db.schema.alterTable('baton_idempotency').addColumn('claim_owner', 'text'),
    db.schema.alterTable('baton_idempotency').addColumn('claim_expires_at', 'bigint'),
  ];
}

/**
 * The run indexes hold only the rows their queries look for: the lease index unfinished runs (what claims read), the
 * wake index runs with a wake time, the finish index finished runs (what purge reads). Creating a run then writes two
 * index pages fewer and finishing it two fewer — a SQLite commit costs about a page written per index touched — and
 * the index claims read no longer grows with every run ever finished. Each query states the index's condition, so
 * both databases' planners can use it.
 */
function partialRunIndexes(db: Kysely<unknown>): Compilable[] {
  const indexes = [
    { name: 'baton_runs_by_lease', columns: ['status', 'lease_expires_at'], holds: 'finished_at', op: 'is' },
    { name: 'baton_runs_by_wake', columns: ['status', 'wake_at'], holds: 'wake_at', op: 'is not' },
    { name: 'baton_runs_by_finish', columns: ['finished_at'], holds: 'finished_at', op: 'is not' },
  ] as const;
  return indexes.flatMap(({ name, columns, holds, op }) => [
    db.schema.dropIndex(name),
    db.schema
      .createIndex(name)
      .on('baton_runs')
      .columns([...columns])
      .where(sql.ref(holds), op, null),
  ]);
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial-schema', statements: initialSchema },
  { version: 2, name: 'cancel-requests-and-unique-compensations', statements: cancelRequestsAndUniqueCompensations },
  { version: 3, name: 'journal-without-run-key', statements: journalWithoutRunKey },
  { version: 4, name: 'idempotency-claims', statements: idempotencyClaims },
  { version: 5, name: 'partial-run-indexes', statements: partialRunIndexes },
];

/** The newest schema version this code knows. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Table every Baton schema has; its absence in a non-empty database marks the database as foreign. */
export const SCHEMA_TABLE = 'baton_schema';
