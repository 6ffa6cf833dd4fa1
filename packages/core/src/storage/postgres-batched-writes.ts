/**
 * The PostgreSQL statements that write the hot path of many runs at once: the new runs of a turn with their first
 * entries, the journal appends of a turn, and the finishes of a turn with their last entries. Each takes its values
 * as arrays (`unnest`), one element per run or per entry, so one prepared statement serves a batch of any size.
 *
 * Appends and finishes are fenced per run, as the one-run statements are: a run moves only if its owner and expected
 * head are still those in the row, and its entries go in only if it moved. Runs that did not move are answered as
 * such; the caller takes its slower path for them. The rows are locked in id order before any is changed, so two
 * statements that lock several runs (and the lease renewal, which does the same) never wait for each other in a
 * cycle.
 */
import type { Selectable } from 'kysely';
import type { RunsTable } from './database-schema.js';
import type { ChainedEntry, ChainHead } from './journal-chain.js';
import type { RunFinish } from './run-queries.js';

const JOURNAL_COLUMNS = 'run_id, seq, type, step_key, data, prev_hash, hash, created_at';

/** A run's head moving from `expectedSeq` to `head`, fenced by `owner`, with the entries that move it. */
export interface HeadMove {
  runId: string;
  owner: string;
  expectedSeq: number;
  head: ChainHead;
  chained: ChainedEntry[];
  now: number;
}

export interface FinishMove extends HeadMove {
  finish: RunFinish;
}

export interface NewRun {
  row: RunsTable;
  chained: readonly ChainedEntry[];
  now: number;
}

/** The entries of every run as eight arrays, from `$first`: `entry (run_id, seq, …, created_at)`. */
const entryRows = (first: number) =>
  `unnest(${['text', 'integer', 'text', 'text', 'text', 'text', 'text', 'bigint']
    .map((type, at) => `$${first + at}::${type}[]`)
    .join(', ')}) AS entry (${JOURNAL_COLUMNS})`;

/** Appends one row's values to the column arrays, a value to each. */
function pushRow(columns: unknown[][], values: readonly unknown[]): void {
  for (let at = 0; at < values.length; at++) columns[at]?.push(values[at]);
}

function entryArrays(runs: readonly { runId: string; chained: readonly ChainedEntry[]; now: number }[]): unknown[][] {
  const columns: unknown[][] = [[], [], [], [], [], [], [], []];
  for (const { runId, chained, now } of runs) {
    for (const entry of chained) {
      const values = [runId, entry.seq, entry.type, entry.stepKey, entry.data, entry.prevHash, entry.hash, now];
      pushRow(columns, values);
    }
  }
  return columns;
}

const insertEntries = (first: number, movedRuns: string) => `INSERT INTO baton_journal (${JOURNAL_COLUMNS})
  SELECT ${JOURNAL_COLUMNS} FROM ${entryRows(first)}
  WHERE entry.run_id IN (SELECT id FROM ${movedRuns})`;

/** The fenced runs, locked in id order: `heads` names `id`, `holder` and `expected_seq`. */
const LOCKED = `locked AS MATERIALIZED (
  SELECT run.id FROM baton_runs run JOIN heads ON run.id = heads.id
  WHERE run.owner = heads.holder AND run.last_seq = heads.expected_seq
  ORDER BY run.id FOR UPDATE OF run
)`;

const MOVED_WHERE = `run.id = heads.id AND run.id IN (SELECT id FROM locked)
    AND run.owner = heads.holder AND run.last_seq = heads.expected_seq`;

/** $1–$6 the heads, $7–$14 the entries; returns one `run_id` per entry written. */
export const APPEND_MANY_STATEMENT = `WITH heads AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::integer[], $5::text[], $6::bigint[])
    AS head (id, holder, expected_seq, last_seq, last_hash, now)
), ${LOCKED}, moved AS (
  UPDATE baton_runs run SET last_seq = heads.last_seq, last_hash = heads.last_hash, updated_at = heads.now
  FROM heads WHERE ${MOVED_WHERE}
  RETURNING run.id
)
${insertEntries(7, 'moved')}
RETURNING run_id`;

export function appendManyValues(moves: readonly HeadMove[]): unknown[] {
  const heads: unknown[][] = [[], [], [], [], [], []];
  for (const move of moves) {
    const values = [move.runId, move.owner, move.expectedSeq, move.head.seq, move.head.hash, move.now];
    pushRow(heads, values);
  }
  return [...heads, ...entryArrays(moves)];
}

/** Which runs of an append moved: every one of their entries was written. */
export function appendedRuns(moves: readonly HeadMove[], rows: readonly { run_id: string }[]): boolean[] {
  const written = new Map<string, number>();
  for (const row of rows) written.set(row.run_id, (written.get(row.run_id) ?? 0) + 1);
  return moves.map((move) => written.get(move.runId) === move.chained.length);
}

/** Every column of a run's row with its PostgreSQL type: the arrays' element types. */
const RUN_COLUMN_TYPES: { [column in keyof RunsTable]: string } = {
  id: 'text',
  status: 'text',
  plan: 'text',
  request: 'text',
  options: 'text',
  output: 'text',
  error: 'text',
  owner: 'text',
  lease_expires_at: 'bigint',
  wake_at: 'bigint',
  wake_requested: 'integer',
  idempotency_key: 'text',
  cancel_requested: 'text',
  last_seq: 'integer',
  last_hash: 'text',
  created_at: 'bigint',
  updated_at: 'bigint',
  finished_at: 'bigint',
};

const RUN_COLUMNS = Object.entries(RUN_COLUMN_TYPES) as [keyof RunsTable, string][];

const FINISH_COLUMNS = (
  [
    'status',
    'output',
    'error',
    'owner',
    'lease_expires_at',
    'wake_at',
    'wake_requested',
    'updated_at',
    'finished_at',
  ] as const satisfies readonly (keyof RunFinish)[]
).map((column) => [column, RUN_COLUMN_TYPES[column]] as const);

/** $1–$14 the heads and finishing columns, $15–$22 the entries; the finished rows, with `baton_inserted`. */
export const FINISH_MANY_STATEMENT = `WITH heads AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::integer[], $5::text[], ${FINISH_COLUMNS.map(
    ([, type], at) => `$${6 + at}::${type}[]`,
  ).join(', ')})
    AS head (id, holder, expected_seq, last_seq, last_hash, ${FINISH_COLUMNS.map(([column]) => column).join(', ')})
), ${LOCKED}, moved AS (
  UPDATE baton_runs run SET last_seq = heads.last_seq, last_hash = heads.last_hash, ${FINISH_COLUMNS.map(
    ([column]) => `${column} = heads.${column}`,
  ).join(', ')}
  FROM heads WHERE ${MOVED_WHERE}
  RETURNING run.*
), inserted AS (
  ${insertEntries(6 + FINISH_COLUMNS.length, 'moved')}
  RETURNING run_id
)
SELECT moved.*, (SELECT count(*) FROM inserted WHERE inserted.run_id = moved.id)::integer AS baton_inserted
FROM moved`;

export function finishManyValues(moves: readonly FinishMove[]): unknown[] {
  const heads: unknown[][] = Array.from({ length: 5 + FINISH_COLUMNS.length }, () => []);
  for (const move of moves) {
    const values = [
      move.runId,
      move.owner,
      move.expectedSeq,
      move.head.seq,
      move.head.hash,
      ...FINISH_COLUMNS.map(([column]) => move.finish[column]),
    ];
    pushRow(heads, values);
  }
  return [...heads, ...entryArrays(moves)];
}

type FinishedRow = Selectable<RunsTable> & { baton_inserted: number };

/** Each finish's row, or undefined for a run that did not move (or whose entries did not all go in). */
export function finishedRuns(
  moves: readonly FinishMove[],
  rows: readonly FinishedRow[],
): (Selectable<RunsTable> | undefined)[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return moves.map((move) => {
    const found = byId.get(move.runId);
    if (found === undefined || found.baton_inserted !== move.chained.length) return undefined;
    const { baton_inserted: _inserted, ...row } = found;
    return row;
  });
}

/**
 * $1–$18 the rows, $19–$26 the entries; the rows inserted (`returning *`). A row whose id or idempotency key is taken
 * is not inserted (nor its entries), and neither is the second of two rows of one batch with the same key.
 */
export const CREATE_MANY_STATEMENT = `WITH run AS (
  INSERT INTO baton_runs (${RUN_COLUMNS.map(([column]) => column).join(', ')})
  SELECT * FROM unnest(${RUN_COLUMNS.map(([, type], at) => `$${1 + at}::${type}[]`).join(', ')})
  ON CONFLICT DO NOTHING
  RETURNING *
), entries AS (
  ${insertEntries(1 + RUN_COLUMNS.length, 'run')}
)
SELECT * FROM run`;

export function createManyValues(runs: readonly NewRun[]): unknown[] {
  const rows: unknown[][] = RUN_COLUMNS.map(() => []);
  for (const { row } of runs)
    pushRow(
      rows,
      RUN_COLUMNS.map(([column]) => row[column]),
    );
  return [...rows, ...entryArrays(runs.map(({ row, chained, now }) => ({ runId: row.id, chained, now })))];
}

/** Each new run's row, or undefined for one not inserted (its id or idempotency key was taken). */
export function createdRuns(runs: readonly NewRun[], rows: readonly Selectable<RunsTable>[]) {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return runs.map(({ row }) => byId.get(row.id));
}
