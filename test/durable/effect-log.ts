/**
 * The idempotent side-effect service the process tests count with. Every call logs a raw invocation (engine, start and
 * end time); the effect itself is written once per idempotency key (`ON CONFLICT DO NOTHING`), and the invocation that
 * wrote it is marked `applied` in the same statement. It lives beside the run store — a second SQLite file, or tables
 * in the same PostgreSQL schema — so what a killed process did survives it.
 */
import Database from 'better-sqlite3';
import pg from 'pg';

export type EffectLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; schema: string };

export interface Call {
  runId: string;
  stepKey: string;
  /** The step's `ctx.idempotencyKey`. */
  key: string;
  engine: string;
}

export interface Invocation extends Call {
  id: number;
  startedAt: number;
  /** Null when the process died during the call. */
  endedAt: number | null;
  /** This call wrote the effect (the first call with its key that got that far). */
  applied: boolean;
}

export interface Effect extends Call {
  createdAt: number;
}

export interface EffectLog {
  /** Logs the start of a call; returns the invocation id. */
  begin(call: Call): Promise<number>;
  /** Writes the effect unless its key has one already; true when this call wrote it. */
  apply(invocationId: number, call: Call): Promise<boolean>;
  end(invocationId: number): Promise<void>;
  invocations(): Promise<Invocation[]>;
  effects(): Promise<Effect[]>;
  close(): Promise<void>;
}

/** Opens the log, creating its tables if missing (create them once, before several processes open it). */
export function openEffectLog(location: EffectLocation): Promise<EffectLog> {
  return location.kind === 'sqlite' ? Promise.resolve(sqliteLog(location.path)) : postgresLog(location);
}

const SQLITE_TABLES = `
  CREATE TABLE IF NOT EXISTS invocations (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL,
    step_key TEXT NOT NULL, key TEXT NOT NULL, engine TEXT NOT NULL, started_at INTEGER NOT NULL, ended_at INTEGER,
    applied INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE IF NOT EXISTS effects (key TEXT PRIMARY KEY, run_id TEXT NOT NULL, step_key TEXT NOT NULL,
    engine TEXT NOT NULL, created_at INTEGER NOT NULL);`;

interface InvocationRow {
  id: number | string;
  run_id: string;
  step_key: string;
  key: string;
  engine: string;
  started_at: number | string;
  ended_at: number | string | null;
  applied: number | boolean;
}

interface EffectRow {
  key: string;
  run_id: string;
  step_key: string;
  engine: string;
  created_at: number | string;
}

const toInvocation = (row: InvocationRow): Invocation => ({
  id: Number(row.id),
  runId: row.run_id,
  stepKey: row.step_key,
  key: row.key,
  engine: row.engine,
  startedAt: Number(row.started_at),
  endedAt: row.ended_at === null ? null : Number(row.ended_at),
  applied: Boolean(row.applied),
});

const toEffect = (row: EffectRow): Effect => ({
  key: row.key,
  runId: row.run_id,
  stepKey: row.step_key,
  engine: row.engine,
  createdAt: Number(row.created_at),
});

function sqliteLog(path: string): EffectLog {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SQLITE_TABLES);
  const begin = db.prepare(
    'INSERT INTO invocations (run_id, step_key, key, engine, started_at) VALUES (?, ?, ?, ?, ?) RETURNING id',
  );
  const insertEffect = db.prepare(
    'INSERT OR IGNORE INTO effects (key, run_id, step_key, engine, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const markApplied = db.prepare('UPDATE invocations SET applied = 1 WHERE id = ?');
  const apply = db.transaction((id: number, call: Call) => {
    const inserted = insertEffect.run(call.key, call.runId, call.stepKey, call.engine, Date.now()).changes === 1;
    if (inserted) markApplied.run(id);
    return inserted;
  });
  const end = db.prepare('UPDATE invocations SET ended_at = ? WHERE id = ?');
  return {
    async begin(call) {
      const row = begin.get(call.runId, call.stepKey, call.key, call.engine, Date.now()) as { id: number };
      return row.id;
    },
    async apply(id, call) {
      return apply.immediate(id, call);
    },
    async end(id) {
      end.run(Date.now(), id);
    },
    async invocations() {
      return (db.prepare('SELECT * FROM invocations ORDER BY id').all() as InvocationRow[]).map(toInvocation);
    },
    async effects() {
      return (db.prepare('SELECT * FROM effects ORDER BY key').all() as EffectRow[]).map(toEffect);
    },
    async close() {
      db.close();
    },
  };
}

async function postgresLog({ url, schema }: { url: string; schema: string }): Promise<EffectLog> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => {});
  const invocations = `${schema}.test_invocations`;
  const effects = `${schema}.test_effects`;
  await pool.query(`
    CREATE TABLE IF NOT EXISTS ${invocations} (id BIGSERIAL PRIMARY KEY, run_id TEXT NOT NULL, step_key TEXT NOT NULL,
      key TEXT NOT NULL, engine TEXT NOT NULL, started_at BIGINT NOT NULL, ended_at BIGINT,
      applied BOOLEAN NOT NULL DEFAULT false);
    CREATE TABLE IF NOT EXISTS ${effects} (key TEXT PRIMARY KEY, run_id TEXT NOT NULL, step_key TEXT NOT NULL,
      engine TEXT NOT NULL, created_at BIGINT NOT NULL);`);
  return {
    async begin(call) {
      const result = await pool.query<{ id: string }>(
        `INSERT INTO ${invocations} (run_id, step_key, key, engine, started_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [call.runId, call.stepKey, call.key, call.engine, Date.now()],
      );
      return Number(result.rows[0]!.id);
    },
    async apply(id, call) {
      const result = await pool.query(
        `WITH inserted AS (
           INSERT INTO ${effects} (key, run_id, step_key, engine, created_at) VALUES ($2, $3, $4, $5, $6)
           ON CONFLICT DO NOTHING RETURNING key)
         UPDATE ${invocations} SET applied = true WHERE id = $1 AND EXISTS (SELECT 1 FROM inserted)`,
        [id, call.key, call.runId, call.stepKey, call.engine, Date.now()],
      );
      return result.rowCount === 1;
    },
    async end(id) {
      await pool.query(`UPDATE ${invocations} SET ended_at = $1 WHERE id = $2`, [Date.now(), id]);
    },
    async invocations() {
      return (await pool.query<InvocationRow>(`SELECT * FROM ${invocations} ORDER BY id`)).rows.map(toInvocation);
    },
    async effects() {
      return (await pool.query<EffectRow>(`SELECT * FROM ${effects} ORDER BY key`)).rows.map(toEffect);
    },
    async close() {
      await pool.end();
    },
  };
}
