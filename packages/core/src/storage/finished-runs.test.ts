import type { Selectable } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { JournalTable, RunsTable } from './database-schema.js';
import { FinishedRuns } from './finished-runs.js';

const row = (status: string, lastSeq: number): Selectable<RunsTable> => ({
  id: 'run',
  status,
  plan: '{}',
  request: null,
  options: null,
  output: null,
  error: null,
  owner: null,
  lease_expires_at: null,
  wake_at: null,
  wake_requested: 0,
  idempotency_key: null,
  cancel_requested: null,
  last_seq: lastSeq,
  last_hash: 'h',
  created_at: 0,
  updated_at: 0,
  finished_at: 0,
});

const entries = (from: number, count: number, data = '{}'): JournalTable[] =>
  Array.from({ length: count }, (_, index) => ({
    run_id: 'run',
    seq: from + index,
    type: 't',
    step_key: null,
    data,
    prev_hash: 'p',
    hash: 'h',
    created_at: 0,
  }));

describe('FinishedRuns', () => {
  it('keeps a run followed from its start to a successful end, until its time is up', () => {
    const runs = new FinishedRuns();
    runs.follow('run', entries(0, 1));
    runs.append('run', entries(1, 2));
    expect(runs.get('run', 0)).toBeUndefined();
    runs.finish('run', row('succeeded', 3), entries(3, 1), 1000);
    expect(runs.get('run', 1000)?.rows.map((entry) => entry.seq)).toEqual([0, 1, 2, 3]);
    expect(runs.get('run', 6000)?.row.status).toBe('succeeded');
    expect(runs.get('run', 6001)).toBeUndefined();
    expect(runs.get('run', 1000)).toBeUndefined();
  });

  it('keeps no run that failed, was not followed from its start, or was forgotten', () => {
    const runs = new FinishedRuns();
    runs.follow('run', entries(0, 1));
    runs.finish('run', row('failed', 0), [], 0);
    expect(runs.get('run', 0)).toBeUndefined();
    runs.finish('run', row('succeeded', 0), [], 0);
    expect(runs.get('run', 0)).toBeUndefined();
    runs.follow('run', entries(0, 1));
    runs.forget('run');
    runs.finish('run', row('succeeded', 0), [], 0);
    expect(runs.get('run', 0)).toBeUndefined();
  });

  it('drops a run whose journal holds a write it did not see', () => {
    const runs = new FinishedRuns();
    runs.follow('run', entries(0, 1));
    runs.append('run', entries(2, 1));
    runs.finish('run', row('succeeded', 2), [], 0);
    expect(runs.get('run', 0)).toBeUndefined();
    // The last entry written elsewhere: the finished row's head is past the last row followed.
    runs.follow('run', entries(0, 1));
    runs.finish('run', row('succeeded', 1), [], 0);
    expect(runs.get('run', 0)).toBeUndefined();
  });

  it('drops a snapshot once the run is written to again, and a run too large to keep', () => {
    const runs = new FinishedRuns();
    runs.follow('run', entries(0, 1));
    runs.finish('run', row('succeeded', 0), [], 0);
    runs.append('run', entries(1, 1));
    expect(runs.get('run', 0)).toBeUndefined();
    runs.follow('run', entries(0, 257));
    runs.finish('run', row('succeeded', 256), [], 0);
    expect(runs.get('run', 0)).toBeUndefined();
    runs.follow('run', entries(0, 1, 'x'.repeat(65 * 1024)));
    runs.finish('run', row('succeeded', 0), [], 0);
    expect(runs.get('run', 0)).toBeUndefined();
    expect(runs.heldChars).toBe(0);
  });

  it('holds at most 32 MiB of journal data, and counts what it lets go', () => {
    const runs = new FinishedRuns();
    const data = 'x'.repeat(60 * 1024);
    for (let index = 0; index < 600; index++) runs.follow(`run-${index}`, entries(0, 1, data));
    expect(runs.heldChars).toBeLessThanOrEqual(32 * 1024 * 1024);
    expect(runs.heldChars).toBeGreaterThan(31 * 1024 * 1024);
    for (let index = 0; index < 600; index++) runs.finish(`run-${index}`, row('succeeded', 0), [], 0);
    expect(runs.heldChars).toBe(64 * data.length);
    for (let index = 0; index < 600; index++) runs.forget(`run-${index}`);
    expect(runs.heldChars).toBe(0);
  });
});
