import type { Orchestration } from '@baton/protocol';
import { describe, expect, it } from 'vitest';
import { awaitOrchestration } from './await-orchestration.js';
import type { OrchestrationRow } from './orchestration-view.js';
import type { Orchestrations } from './orchestrations.js';
import { RunEventsHub } from './run-events-hub.js';

const row = { id: 'orc_1', run_id: 'orc_1', project_id: 'proj_1', status: 'running' } as OrchestrationRow;

/** An orchestration whose run executes here until `end()`, counting the reads of its row and who listens for its end. */
function fixture() {
  const hub = new RunEventsHub();
  const listening: string[] = [];
  const subscribe = hub.subscribe.bind(hub);
  hub.subscribe = (runId, listener) => {
    listening.push(runId);
    return subscribe(runId, listener);
  };
  let running = true;
  const reads: string[] = [];
  const orchestrations = {
    row: async () => {
      reads.push('row');
      return row;
    },
    runningHere: () => running,
    view: async (viewed: OrchestrationRow) =>
      ({ id: viewed.id, status: running ? 'running' : 'succeeded' }) as Orchestration,
  } as unknown as Orchestrations;
  const end = () => {
    running = false;
    hub.publish({ type: 'run-finish', runId: row.run_id, stepId: null, at: Date.now(), data: null });
  };
  return { hub, orchestrations, reads, listening, end };
}

describe('awaitOrchestration', () => {
  it('reads the row first, then wakes with the run’s end and answers it ended', async () => {
    const { hub, orchestrations, reads, listening, end } = fixture();
    const answer = awaitOrchestration(orchestrations, hub, 'proj_1', 'orc_1', { waitMs: 60_000 });
    await expect.poll(() => listening.length).toBe(1);
    end();
    await expect(answer).resolves.toMatchObject({ status: 'succeeded' });
    expect(reads).toEqual(['row']);
  });

  it('takes the row its caller just stored instead of reading it back', async () => {
    const { hub, orchestrations, reads, listening, end } = fixture();
    const answer = awaitOrchestration(orchestrations, hub, 'proj_1', 'orc_1', { waitMs: 60_000, stored: row });
    await expect.poll(() => listening.length).toBe(1);
    end();
    await expect(answer).resolves.toMatchObject({ id: 'orc_1', status: 'succeeded' });
    expect(reads).toEqual([]);
  });

  it('reads the row again on a later look: a retry may have begun since it was stored', async () => {
    const { hub, orchestrations, reads } = fixture();
    const controller = new AbortController();
    const answer = awaitOrchestration(orchestrations, hub, 'proj_1', 'orc_1', {
      waitMs: 60_000,
      pollMs: 1,
      stored: row,
      signal: controller.signal,
    });
    await expect.poll(() => reads.length).toBeGreaterThan(0);
    controller.abort();
    await expect(answer).resolves.toMatchObject({ status: 'running' });
  });
});
