import { describe, expect, it } from 'vitest';
import { describeState, StepBoard } from './step-board.js';
import { plainLine } from './step-display.js';

const plan = {
  steps: [
    { id: 'fetch', target: 'fetcher' },
    { id: 'ok', approval: { prompt: 'Go?' } },
    { id: 'store', target: { capability: 'storage' } },
  ],
};
const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
const event = (type: string, stepId: string | null, second: number, data: unknown = {}) => ({
  type,
  orchestrationId: 'orc_1',
  stepId,
  at: at(second),
  data,
});

describe('StepBoard', () => {
  it('orders steps by parallel group and names what each calls', () => {
    const board = new StepBoard(plan, [['fetch', 'ok'], ['store']]);
    expect(board.steps().map((step) => [step.id, step.target, step.state])).toEqual([
      ['fetch', 'fetcher', 'waiting'],
      ['ok', 'approval', 'waiting'],
      ['store', 'capability storage', 'waiting'],
    ]);
  });

  it('follows a step through waiting-for-service, running, retrying and done, one change at a time', () => {
    const board = new StepBoard(plan, [['fetch', 'ok'], ['store']]);
    const lines = [
      event('waiting-for-service', 'fetch', 0, { service: 'fetcher' }),
      event('task-dispatched', 'fetch', 1, { service: 'fetcher', instanceId: 'i1' }),
      event('step-start', 'fetch', 1, { service: 'fetcher@2', attempt: 1 }),
      event('step-progress', 'fetch', 2, { service: 'fetcher', data: { pct: 50 } }),
      event('step-retry', 'fetch', 3, {
        attempt: 2,
        delayMs: 250,
        error: { message: 'timeout' },
        service: 'fetcher@2',
      }),
      event('task-dispatched', 'fetch', 3, { service: 'fetcher' }),
      event('step-finish', 'fetch', 5, { service: 'fetcher@2', attempts: 2, output: {} }),
    ]
      .map((next) => {
        const changed = board.apply(next);
        return changed && plainLine(changed);
      })
      .filter((line) => line !== undefined);
    expect(lines).toEqual([
      'step fetch waiting-for-service: no instance of fetcher connected yet',
      'step fetch running (fetcher)',
      'step fetch retrying: attempt 1 failed: timeout; attempt 2 in 250ms',
      'step fetch running (fetcher@2)',
      'step fetch done in 4.0s (fetcher@2)',
    ]);
  });

  it('a running step shows its elapsed time; a step waiting for approval says how to approve it', () => {
    const board = new StepBoard(plan, [['fetch', 'ok'], ['store']]);
    board.apply(event('step-start', 'fetch', 0, { service: 'fetcher@2', attempt: 1 }));
    board.apply(event('approval-request', 'ok', 1, { approvalId: 'apr_1', prompt: 'Go?' }));
    const [fetch, ok] = board.steps();
    expect(describeState(fetch!, Date.parse(at(0)) + 3200)).toBe('● running 3.2s');
    expect(describeState(ok!, 0)).toBe('· waiting  waiting for approval apr_1: baton approvals approve apr_1');
  });

  it('an approval asked before the stream opened is shown once, whether from the stream or the pending approvals', () => {
    const line = 'step ok waiting: waiting for approval apr_1: baton approvals approve apr_1';
    const fromStream = new StepBoard(plan, [['fetch', 'ok'], ['store']]);
    const changed = fromStream.apply(event('approval-request', 'ok', 1, { approvalId: 'apr_1' }));
    expect(changed && plainLine(changed)).toBe(line);
    expect(fromStream.seedApprovals([{ id: 'apr_1', stepId: 'ok' }])).toEqual([]);
    const fromView = new StepBoard(plan, [['fetch', 'ok'], ['store']]);
    expect(fromView.seedApprovals([{ id: 'apr_1', stepId: 'ok' }]).map(plainLine)).toEqual([line]);
    expect(fromView.apply(event('approval-request', 'ok', 1, { approvalId: 'apr_1' }))).toBeUndefined();
  });

  it('a failed step keeps its error and attempts; a skipped one its reason', () => {
    const board = new StepBoard(plan, [['fetch', 'ok'], ['store']]);
    const failed = board.apply(
      event('step-error', 'fetch', 4, { attempt: 3, durationMs: 4000, error: { message: 'gone' } }),
    );
    expect(plainLine(failed!)).toBe('step fetch failed in 4.0s after 3 attempts (fetcher): gone');
    const skipped = board.apply(event('step-skip', 'store', 5, { reason: 'condition false' }));
    expect(plainLine(skipped!)).toBe('step store skipped: condition false');
    expect(board.apply(event('step-start', 'fetch', 6, {}))).toBeUndefined();
  });

  it("a run's failure marks the step its error names, which a late follower never saw fail", () => {
    const board = new StepBoard(plan, [['fetch', 'ok'], ['store']]);
    const step = board.apply(
      event('run-fail', null, 2, { error: { stepId: 'store', message: 'disk full' }, status: 'failed' }),
    );
    expect([step?.id, step?.state, step?.note]).toEqual(['store', 'failed', 'disk full']);
  });

  it("takes a stopped step's attempts from the run's failure, so its line never says 0 attempts", () => {
    const board = new StepBoard(plan, [['fetch', 'ok'], ['store']]);
    const error = { stepId: 'store', attempts: 1, message: 'step "store" failed after 1 attempt: bad input' };
    const failed = board.apply(event('run-fail', null, 2, { error, status: 'failed' }));
    expect(plainLine(failed!)).toMatch(/^step store failed after 1 attempt \(/);
    const other = new StepBoard(plan, [['fetch', 'ok'], ['store']]);
    const stopped = other.apply(
      event('run-fail', null, 2, {
        error: { stepId: 'fetch', message: 'gone' },
        status: 'failed',
        steps: { fetch: { status: 'failed', attempts: 2 } },
      }),
    );
    expect(stopped?.attempts).toBe(2);
  });

  it('settles from the final view, but never puts back to waiting a step the stream saw end', () => {
    const board = new StepBoard(plan, [['fetch', 'ok'], ['store']]);
    board.apply(event('step-error', 'fetch', 1, { attempt: 1, error: { message: 'gone' } }));
    const view = (id: string, status: 'pending' | 'succeeded') => ({
      id,
      status,
      service: status === 'succeeded' ? 'store@1' : null,
      attempts: status === 'succeeded' ? 1 : 0,
      startedAt: status === 'succeeded' ? at(0) : null,
      finishedAt: status === 'succeeded' ? at(2) : null,
      error: null,
      usage: {},
    });
    board.settle([view('fetch', 'pending'), view('store', 'succeeded')]);
    expect(board.steps().map((step) => [step.id, step.state, step.service ?? null])).toEqual([
      ['fetch', 'failed', null],
      ['ok', 'waiting', null],
      ['store', 'done', 'store@1'],
    ]);
  });

  it("a loop's inner step counts for the loop step; events of unknown steps change nothing", () => {
    const board = new StepBoard({ steps: [{ id: 'refine', loop: {} }] }, [['refine']]);
    expect(board.apply(event('step-start', 'refine/iteration-2/draft', 0, { attempt: 1 }))?.state).toBe('running');
    expect(board.apply(event('step-finish', 'elsewhere', 1, {}))).toBeUndefined();
  });
});

describe('StepBoard.seed', () => {
  it('takes running and waiting-for-service steps from the view, but only those the stream has not moved', () => {
    const board = new StepBoard(plan, [['fetch', 'ok'], ['store']]);
    board.apply(event('step-finish', 'ok', 1, {}));
    const view = (id: string, status: 'running' | 'waiting-for-service' | 'succeeded') => ({
      id,
      status,
      service: status === 'running' ? 'fetcher@2' : null,
      attempts: status === 'running' ? 1 : 0,
      startedAt: status === 'running' ? at(0) : null,
      finishedAt: null,
      error: null,
      usage: {},
    });
    const changed = board.seed([view('fetch', 'running'), view('ok', 'running'), view('store', 'waiting-for-service')]);
    expect(changed.map((step) => plainLine(step))).toEqual([
      'step fetch running (fetcher@2)',
      'step store waiting-for-service',
    ]);
    expect(board.steps().find((step) => step.id === 'ok')?.state).toBe('done');
  });
});
