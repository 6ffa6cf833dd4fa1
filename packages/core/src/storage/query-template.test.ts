import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
} from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import type { BatonDatabase, RunsTable } from './database-schema.js';
import { queryTemplate } from './query-template.js';
import { finishRunQuery, insertRunQuery, type RunFinish } from './run-queries.js';
import { runQueryTemplates } from './run-query-templates.js';

const compilerOnly = (dialect: 'sqlite' | 'postgres') =>
  new Kysely<BatonDatabase>({
    dialect: {
      createAdapter: () => (dialect === 'sqlite' ? new SqliteAdapter() : new PostgresAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => (dialect === 'sqlite' ? new SqliteIntrospector(db) : new PostgresIntrospector(db)),
      createQueryCompiler: () => (dialect === 'sqlite' ? new SqliteQueryCompiler() : new PostgresQueryCompiler()),
    },
  });

const row = (overrides: Partial<RunsTable> = {}): RunsTable => ({
  id: 'run-1',
  status: 'running',
  plan: '{"steps":[]}',
  request: '{}',
  options: null,
  output: null,
  error: null,
  owner: 'engine-a',
  lease_expires_at: 1_000,
  wake_at: null,
  wake_requested: 0,
  idempotency_key: null,
  cancel_requested: null,
  last_seq: -1,
  last_hash: '0'.repeat(64),
  created_at: 1,
  updated_at: 1,
  finished_at: null,
  ...overrides,
});

const finish = (overrides: Partial<RunFinish> = {}): RunFinish => ({
  status: 'succeeded',
  output: '{"a":1}',
  error: null,
  owner: null,
  lease_expires_at: null,
  wake_at: null,
  wake_requested: 0,
  updated_at: 5,
  finished_at: 5,
  ...overrides,
});

const sqlAndParameters = (query: { sql: string; parameters: readonly unknown[] }) => ({
  sql: query.sql,
  parameters: [...query.parameters],
});

describe('queryTemplate', () => {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    it(`binds the run queries exactly as Kysely compiles them (${dialect})`, () => {
      const db = compilerOnly(dialect);
      const templates = runQueryTemplates(db);
      const rows = [
        row(),
        row({ id: 'run-2', output: 'x', idempotency_key: 'key', wake_at: 7 }),
        row({ options: '{}' }),
      ];
      for (const each of rows) {
        expect(sqlAndParameters(templates.insertRun(each))).toEqual(
          sqlAndParameters(insertRunQuery(db, each).compile()),
        );
      }
      for (const each of [finish(), finish({ status: 'failed', output: null, error: '{"message":"no"}' })]) {
        expect(sqlAndParameters(templates.finishRun({ ...each, runId: 'run-9', holder: 'engine-b' }))).toEqual(
          sqlAndParameters(finishRunQuery(db, 'run-9', 'engine-b', each).compile()),
        );
      }
      expect(sqlAndParameters(templates.runById({ id: 'run-3' }))).toEqual(
        sqlAndParameters(db.selectFrom('baton_runs').selectAll().where('id', '=', 'run-3').compile()),
      );
    });
  }

  it('builds each shape once: a value left undefined is a shape of its own, with its column left out', () => {
    const db = compilerOnly('sqlite');
    const build = vi.fn((values: { id: string; status?: string }) =>
      db.updateTable('baton_runs').set({ status: values.status }).where('id', '=', values.id),
    );
    const update = queryTemplate(build);
    const first = update({ id: 'a', status: 'ready' });
    const second = update({ id: 'b', status: 'waiting' });
    const without = update({ id: 'c', status: undefined });
    expect(build).toHaveBeenCalledTimes(2);
    expect(first.sql).toBe(second.sql);
    expect(second.parameters).toEqual(['waiting', 'b']);
    expect(without.sql).not.toContain('status');
    expect(without.parameters).toEqual(['c']);
  });

  it('compiles every call afresh when a value is used twice, changed or inlined, and the query stays right', () => {
    const db = compilerOnly('sqlite');
    const twice = queryTemplate((values: { id: string }) =>
      db.selectFrom('baton_runs').selectAll().where('id', '=', values.id).where('owner', '=', values.id),
    );
    expect(twice({ id: 'x' }).parameters).toEqual(['x', 'x']);
    expect(twice({ id: 'y' }).parameters).toEqual(['y', 'y']);
    const changed = queryTemplate((values: { status: string }) =>
      db.selectFrom('baton_runs').selectAll().where('status', '=', values.status.toUpperCase()),
    );
    expect(changed({ status: 'ready' }).parameters).toEqual(['READY']);
    expect(changed({ status: 'waiting' }).parameters).toEqual(['WAITING']);
    const inlined = queryTemplate((values: { status: string }) =>
      db.selectFrom('baton_runs').selectAll().where('status', '=', sql.lit(values.status)),
    );
    expect(inlined({ status: 'ready' }).sql).toContain(`"status" = 'ready'`);
    expect(inlined({ status: 'waiting' }).sql).toContain(`"status" = 'waiting'`);
  });

  it('keeps the constants the query was built with in their places', () => {
    const db = compilerOnly('postgres');
    const query = queryTemplate((values: { id: string }) =>
      db.selectFrom('baton_runs').select('id').where('status', '=', 'ready').where('id', '=', values.id),
    );
    query({ id: 'first' });
    expect(sqlAndParameters(query({ id: 'second' }))).toEqual({
      sql: 'select "id" from "baton_runs" where "status" = $1 and "id" = $2',
      parameters: ['ready', 'second'],
    });
  });
});
