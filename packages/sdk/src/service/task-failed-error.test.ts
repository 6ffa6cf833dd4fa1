import { describe, expect, it } from 'vitest';
import { TaskCancelledError } from './task-cancelled-error.js';
import { NonRetryableError, RetryableError, TaskFailedError } from './task-failed-error.js';

describe('errors', () => {
  it('carry typed fields and are recognised without instanceof', () => {
    const retry = new RetryableError('busy', { retryAfterMs: 10 });
    expect(retry).toMatchObject({ retryable: true, retryAfterMs: 10, code: 'retryable', name: 'RetryableError' });
    expect(new NonRetryableError('no')).toMatchObject({ retryable: false, code: 'non-retryable' });
    expect(TaskFailedError.isInstance(retry)).toBe(true);
    expect(TaskFailedError.isInstance(new Error('x'))).toBe(false);
    const cancelled = new TaskCancelledError({ taskId: 't', reason: 'deadline-exceeded', detail: 'soon' });
    expect(TaskCancelledError.isInstance(cancelled)).toBe(true);
    expect(cancelled.message).toBe('task t passed its deadline: soon');
  });
});
